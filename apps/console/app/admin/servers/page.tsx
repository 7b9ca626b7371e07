'use client';

import { Text } from '@mantine/core';
import { AdminPage, ErrorAlert, Loading } from '../../../src/admin/admin-page';
import { ServerCard } from '../../../src/admin/servers/server-card';
import type { ServerHealth } from '../../../src/admin/servers/server-types';
import { useResource } from '../../../src/admin/use-resource';
import { useMe } from '../../../src/session';

function Servers() {
  const me = useMe();
  const servers = useResource<{ items: ServerHealth[] }>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/servers`);
  if (!servers.data) return servers.error ? <ErrorAlert error={servers.error} title="The servers could not be loaded" /> : <Loading />;
  if (servers.data.items.length === 0) return <Text>No MCP servers: declare them with gatehouse apply.</Text>;
  return (
    <>
      {servers.data.items.map((s) => (
        <ServerCard key={s.name} server={s} />
      ))}
    </>
  );
}

export default function ServersPage() {
  return (
    <AdminPage title="MCP servers" intro="The tenant's upstream servers as the gateways see them, with their live tool lists.">
      <Servers />
    </AdminPage>
  );
}
