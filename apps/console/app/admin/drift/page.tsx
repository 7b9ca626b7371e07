'use client';

import { Alert, Text } from '@mantine/core';
import { useState } from 'react';
import { AdminPage, ErrorAlert, Loading } from '../../../src/admin/admin-page';
import { DriftCard } from '../../../src/admin/drift/drift-card';
import type { PendingDrift } from '../../../src/admin/drift/drift-types';
import { useResource } from '../../../src/admin/use-resource';
import { useMe } from '../../../src/session';

function Drift() {
  const me = useMe();
  const drift = useResource<{ items: PendingDrift[] }>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/drift`);
  const [approved, setApproved] = useState<string | null>(null);
  if (!drift.data) return drift.error ? <ErrorAlert error={drift.error} title="Drift could not be loaded" /> : <Loading />;
  return (
    <>
      {approved && (
        <Alert color="green" role="status">
          Approved {approved}: it is back in its profile at every gateway.
        </Alert>
      )}
      <ErrorAlert error={drift.error} />
      {drift.data.items.length === 0 && (
        <Text data-testid="no-drift">No tool is withheld: every upstream definition matches what was approved.</Text>
      )}
      {drift.data.items.map((d) => (
        <DriftCard
          key={`${d.profile}/${d.tool}`}
          drift={d}
          onApproved={async () => {
            setApproved(`${d.profile}/${d.tool}`);
            await drift.reload();
          }}
        />
      ))}
    </>
  );
}

export default function DriftPage() {
  return (
    <AdminPage title="Tool-definition drift" intro="Tools withheld because their upstream definition changed after it was approved.">
      <Drift />
    </AdminPage>
  );
}
