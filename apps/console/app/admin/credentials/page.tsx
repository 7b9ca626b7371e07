'use client';

import { Alert } from '@mantine/core';
import { useState } from 'react';
import { AdminPage, ErrorAlert, Loading } from '../../../src/admin/admin-page';
import { CredentialForm } from '../../../src/admin/credentials/credential-form';
import { CredentialTable } from '../../../src/admin/credentials/credential-table';
import { secretPath, type SecretMetadata } from '../../../src/admin/credentials/credential-types';
import { useResource } from '../../../src/admin/use-resource';
import { useMe } from '../../../src/session';

function Credentials() {
  const me = useMe();
  const secrets = useResource<{ items: SecretMetadata[] }>(secretPath(me.tenant.slug));
  const [replacing, setReplacing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <>
      <CredentialForm
        key={replacing ?? 'new'}
        replacing={replacing}
        onSaved={(name) => {
          setSaved(name);
          setReplacing(null);
          void secrets.reload();
        }}
        onCancel={() => setReplacing(null)}
      />
      {saved && (
        <Alert color="green" role="status">
          Saved {saved}. Gateways use the new value from their next upstream connection.
        </Alert>
      )}
      <ErrorAlert error={secrets.error} title="The credentials could not be loaded" />
      {secrets.data ? (
        <CredentialTable
          items={secrets.data.items}
          onReplace={(name) => {
            setSaved(null);
            setReplacing(name);
          }}
          onChanged={secrets.reload}
        />
      ) : (
        !secrets.error && <Loading />
      )}
    </>
  );
}

export default function CredentialsPage() {
  return (
    <AdminPage
      title="Credentials"
      intro="Upstream secrets in the vault, encrypted at rest. Values are write-only: nobody can read them back here."
    >
      <Credentials />
    </AdminPage>
  );
}
