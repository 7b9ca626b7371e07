'use client';

import { Alert, Button, Code, Group, Modal, NativeSelect, NumberInput, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { ErrorAlert } from '../admin-page';
import { useAction } from '../use-action';
import { KeyValueRows, MONO_INPUT, recordOf, rowsOf, type KeyValueRow } from './key-value-rows';
import { serverPath, type ServerChangeView, type ServerEntry, type Transport } from './server-types';

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The body of `PUT …/servers/{name}`: what the form edits, on top of what it does not (OAuth
 * settings), so editing a server never drops a field the console cannot show. Fields that do not
 * apply to the chosen transport are left out rather than sent empty.
 */
function bodyOf(
  editing: ServerEntry | null,
  form: { transport: Transport; url: string; command: string; args: string; headers: KeyValueRow[]; env: KeyValueRow[]; timeoutMs: number },
) {
  const kept = editing?.oauth ? { oauth: editing.oauth } : {};
  const remote = form.transport !== 'stdio';
  const args = form.args.split('\n').filter((a) => a.trim() !== '');
  return {
    ...kept,
    transport: form.transport,
    ...(remote ? { url: form.url.trim() } : { command: form.command.trim(), ...(args.length ? { args } : {}) }),
    headers: remote ? recordOf(form.headers) : {},
    env: remote ? {} : recordOf(form.env),
    timeoutMs: form.timeoutMs,
  };
}

/**
 * Adds a server, or replaces `editing` (its name is the key, so it is fixed). The API validates
 * it exactly as `gatehouse apply` validates an entry of `servers:` and answers with the YAML.
 */
export function ServerForm({
  opened,
  editing,
  stdioAllowed,
  onSaved,
  onClose,
}: {
  opened: boolean;
  editing: ServerEntry | null;
  stdioAllowed: boolean;
  onSaved: (view: ServerChangeView) => void;
  onClose: () => void;
}) {
  const me = useMe();
  const [name, setName] = useState(editing?.name ?? '');
  const [transport, setTransport] = useState<Transport>(editing?.transport ?? 'http');
  const [url, setUrl] = useState(editing?.url ?? '');
  const [command, setCommand] = useState(editing?.command ?? '');
  const [args, setArgs] = useState((editing?.args ?? []).join('\n'));
  const [headers, setHeaders] = useState<KeyValueRow[]>(rowsOf(editing?.headers));
  const [env, setEnv] = useState<KeyValueRow[]>(rowsOf(editing?.env));
  const [timeoutMs, setTimeoutMs] = useState<number>(editing?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const action = useAction();

  // stdio is offered only where the API accepts it; an existing stdio server stays editable to show what it is.
  const transports = [
    { value: 'http', label: 'http — Streamable HTTP' },
    { value: 'sse', label: 'sse — legacy HTTP+SSE' },
    { value: 'stdio', label: 'stdio — a command on the gateway hosts', disabled: !stdioAllowed },
  ];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(async () => {
      const view = await api<ServerChangeView>(serverPath(me.tenant.slug, name.trim()), {
        method: 'PUT',
        csrfToken: me.csrfToken,
        body: JSON.stringify(bodyOf(editing, { transport, url, command, args, headers, env, timeoutMs })),
      });
      onSaved(view);
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} size="xl" title={editing ? `Edit server ${editing.name}` : 'Add an MCP server'}>
      <form onSubmit={(e) => void submit(e)} aria-label={editing ? `Edit server ${editing.name}` : 'Add an MCP server'}>
        <Stack gap="sm">
          <Group align="flex-start" wrap="wrap">
            <TextInput
              label="Name"
              description="Letters, digits, dot, dash, underscore; profiles refer to it"
              required
              disabled={editing !== null}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={260}
            />
            <NativeSelect
              label="Transport"
              data={transports}
              value={transport}
              onChange={(e) => setTransport(e.currentTarget.value as Transport)}
              w={300}
            />
            <NumberInput
              label="Timeout (ms)"
              description="Per request to the server"
              min={100}
              max={3_600_000}
              step={1000}
              value={timeoutMs}
              onChange={(v) => setTimeoutMs(typeof v === 'number' ? v : Number(v) || DEFAULT_TIMEOUT_MS)}
              w={180}
            />
          </Group>
          {!stdioAllowed && (
            <Text size="xs" c="dimmed">
              stdio servers run a command on every gateway host, so this console does not add them; declare them with{' '}
              <Code>gatehouse apply</Code>.
            </Text>
          )}
          {transport === 'stdio' ? (
            <>
              <TextInput label="Command" required value={command} onChange={(e) => setCommand(e.currentTarget.value)} styles={MONO_INPUT} />
              <Textarea
                label="Arguments"
                description="One per line"
                autosize
                minRows={2}
                value={args}
                onChange={(e) => setArgs(e.currentTarget.value)}
                styles={MONO_INPUT}
              />
              <KeyValueRows
                label="Environment"
                keyLabel="Variable"
                hint="Credentials as ${secret:NAME}, a vault secret (Admin: credentials) the gateway fills in when it starts the command."
                rows={env}
                onChange={setEnv}
              />
            </>
          ) : (
            <>
              <TextInput
                label="URL"
                description={
                  transport === 'sse' ? 'The SSE endpoint, e.g. https://kb.internal/sse' : 'The MCP endpoint, e.g. https://crm.internal/mcp'
                }
                required
                type="url"
                value={url}
                onChange={(e) => setUrl(e.currentTarget.value)}
                styles={MONO_INPUT}
              />
              <KeyValueRows
                label="Headers"
                keyLabel="Header"
                hint="Put credentials in the vault (Admin: credentials) and write them as ${secret:NAME}, e.g. Bearer ${secret:crm-token}: the gateway fills in the value at connect time, so it never reaches a client, a log or the YAML."
                rows={headers}
                onChange={setHeaders}
              />
            </>
          )}
          {editing?.oauth && (
            <Alert color="blue" title="OAuth settings">
              This server authenticates with OAuth; its settings are kept as they are (edit them in the config file).
            </Alert>
          )}
          <ErrorAlert error={action.error} title="The server was not saved" />
          <Group>
            <Button type="submit" loading={action.busy}>
              {editing ? 'Save server' : 'Add server'}
            </Button>
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
