'use client';

import { Alert } from '@mantine/core';
import { useState } from 'react';
import { AdminPage, ErrorAlert, Loading } from '../../../src/admin/admin-page';
import { ServiceProviderCard } from '../../../src/admin/sso/service-provider-card';
import { SsoSettingsForm } from '../../../src/admin/sso/sso-settings-form';
import type { SsoView } from '../../../src/admin/sso/sso-types';
import { useResource } from '../../../src/admin/use-resource';
import { useMe } from '../../../src/session';

function Sso() {
  const me = useMe();
  const resource = useResource<SsoView>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/sso`);
  const [saved, setSaved] = useState<{ view: SsoView; changed: boolean } | null>(null);
  const view = saved?.view ?? resource.data;
  if (!view) return resource.error ? <ErrorAlert error={resource.error} title="The SSO settings could not be loaded" /> : <Loading />;
  return (
    <>
      <ServiceProviderCard tenant={me.tenant.slug} sp={view.serviceProvider} />
      {saved && (
        <Alert color={saved.changed ? 'green' : 'gray'} role="status">
          {saved.changed ? 'Saved. The next sign-in uses these settings.' : 'Nothing changed: the settings were already these.'}
        </Alert>
      )}
      <SsoSettingsForm current={view.settings} onSaved={(next, changed) => setSaved({ view: next, changed })} />
    </>
  );
}

export default function SsoPage() {
  return (
    <AdminPage title="Single sign-on (SAML)" intro="The tenant's IdP, and what to hand the IdP team.">
      <Sso />
    </AdminPage>
  );
}
