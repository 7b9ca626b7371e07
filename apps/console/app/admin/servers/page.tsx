'use client';

import { Alert, Button, Code, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { AdminPage, ErrorAlert, Loading } from '../../../src/admin/admin-page';
import { CopyBlock } from '../../../src/admin/copy-block';
import { RemoveServerDialog } from '../../../src/admin/servers/remove-server-dialog';
import { ServerCard } from '../../../src/admin/servers/server-card';
import { ServerForm } from '../../../src/admin/servers/server-form';
import { serverPath, type ServerChangeView, type ServerEntry, type ServersView } from '../../../src/admin/servers/server-types';
import { useResource } from '../../../src/admin/use-resource';
import { useMe } from '../../../src/session';

/** What the last save or removal changed, with the warning a literal credential deserves. */
function ChangeNotice({ change }: { change: { text: string; literals: string[] } | null }) {
  if (!change) return null;
  return (
    <Alert color={change.literals.length ? 'yellow' : 'green'} role="status" data-testid="server-change">
      <Text size="sm">{change.text}</Text>
      {change.literals.length > 0 && (
        <Text size="sm" mt={4}>
          {`${change.literals.join(', ')} hold(s) a literal value, which the YAML below carries as is: store it under Admin: credentials and write `}
          <Code>{'${secret:NAME}'}</Code> instead before committing.
        </Text>
      )}
    </Alert>
  );
}

function Servers() {
  const me = useMe();
  const servers = useResource<ServersView>(serverPath(me.tenant.slug));
  // null: closed; 'new': adding; an entry: editing it.
  const [form, setForm] = useState<ServerEntry | 'new' | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [change, setChange] = useState<{ text: string; literals: string[] } | null>(null);
  if (!servers.data) return servers.error ? <ErrorAlert error={servers.error} title="The servers could not be loaded" /> : <Loading />;
  const view = servers.data;
  const configOf = (name: string) => view.config.find((s) => s.name === name) ?? null;

  // The notice appears once the list and the YAML show the change, so what it says is what is on the page.
  const changed = async (result: ServerChangeView, text: string) => {
    setForm(null);
    setRemoving(null);
    await servers.reload();
    setChange({ text: result.changed ? text : 'Nothing changed: the server was already this.', literals: result.literalCredentials });
  };

  return (
    <>
      <Group>
        <Button onClick={() => setForm('new')}>Add server</Button>
      </Group>
      <ChangeNotice change={change} />
      {view.items.length === 0 && <Text>No MCP servers yet: add one, or declare them with gatehouse apply.</Text>}
      {view.items.map((s) => (
        <ServerCard key={s.name} server={s} onEdit={() => setForm(configOf(s.name))} onRemove={() => setRemoving(s.name)} />
      ))}
      <Text size="sm">
        A later <Code>gatehouse apply</Code> of a file without these servers removes them: commit this fragment into the tenant&apos;s
        config file.
      </Text>
      <CopyBlock
        label="As configuration (YAML)"
        text={view.yaml}
        filename={`${me.tenant.slug}-servers.yaml`}
        mime="application/yaml"
        testId="servers-yaml"
      />
      {form !== null && (
        <ServerForm
          key={form === 'new' ? 'new' : form.name}
          opened
          editing={form === 'new' ? null : form}
          stdioAllowed={view.stdioAllowed}
          onSaved={(result) => void changed(result, `Saved ${result.server?.name ?? 'the server'}; the gateways were told at once.`)}
          onClose={() => setForm(null)}
        />
      )}
      <RemoveServerDialog
        key={removing ?? 'none'}
        name={removing}
        onRemoved={(result) => void changed(result, `Removed ${removing ?? 'the server'}.`)}
        onClose={() => setRemoving(null)}
      />
    </>
  );
}

export default function ServersPage() {
  return (
    <AdminPage
      title="MCP servers"
      intro="The tenant's upstream servers as the gateways see them, with their live tool lists. Added and edited through the same validation as gatehouse apply."
    >
      <Servers />
    </AdminPage>
  );
}
