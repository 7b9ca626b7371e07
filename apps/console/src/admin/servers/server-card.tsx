'use client';

import { Alert, Badge, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { ErrorAlert } from '../admin-page';
import { useAction } from '../use-action';
import type { ProbeResult, ServerHealth } from './server-types';
import { ToolList } from './tool-list';

function HealthBadge({ server }: { server: ServerHealth }) {
  // Gateways connect on first use and report only the tenants they hold connections for.
  if (server.replicas === 0) return <Badge color="gray">no gateway connected yet</Badge>;
  if (server.connectedOn > 0) return <Badge color="green">{`connected on ${server.connectedOn} of ${server.replicas} gateway(s)`}</Badge>;
  if (server.lastError) return <Badge color="red">failing</Badge>;
  return <Badge color="gray">not connected yet</Badge>;
}

export function ServerCard({ server, onEdit, onRemove }: { server: ServerHealth; onEdit: () => void; onRemove: () => void }) {
  const me = useMe();
  const [probe, setProbe] = useState<ProbeResult | null>(null);
  const action = useAction();

  const test = async () => {
    await action.run(async () => {
      setProbe(
        await api<ProbeResult>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/servers/${encodeURIComponent(server.name)}/test`, {
          method: 'POST',
          csrfToken: me.csrfToken,
        }),
      );
    });
  };

  return (
    <Paper withBorder p="md" component="article" aria-label={`server ${server.name}`} data-testid="server-card" data-server={server.name}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h4">
            {server.name}
          </Title>
          <HealthBadge server={server} />
        </Group>
        <Text size="sm">
          {server.transport} <Code>{server.target}</Code>
          {server.protocolVersion ? ` · protocol ${server.protocolVersion}` : ''}
        </Text>
        {server.lastError && (
          <Text size="sm" c="red.8">
            Last error: {server.lastError}
          </Text>
        )}
        {server.tools ? (
          <ToolList tools={server.tools} testId="server-tools" />
        ) : (
          <Text size="sm" c="dimmed">
            No gateway has listed its tools yet: test the connection to see them.
          </Text>
        )}
        <Group>
          <Button
            size="xs"
            variant="light"
            loading={action.busy}
            onClick={() => void test()}
            aria-label={`Test connection to ${server.name}`}
          >
            Test connection
          </Button>
          <Button size="xs" variant="default" onClick={onEdit} aria-label={`Edit ${server.name}`}>
            Edit
          </Button>
          <Button size="xs" variant="light" color="red" onClick={onRemove} aria-label={`Remove ${server.name}`}>
            Remove
          </Button>
        </Group>
        <ErrorAlert error={action.error} title="The test could not run" />
        {probe && (
          <Alert
            color={probe.ok ? 'green' : 'red'}
            role="status"
            title={probe.ok ? `Connected in ${probe.latencyMs} ms` : `Failed after ${probe.latencyMs} ms`}
            data-testid="probe-result"
          >
            {probe.ok ? <ToolList tools={probe.tools} /> : <Text size="sm">{probe.error}</Text>}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
