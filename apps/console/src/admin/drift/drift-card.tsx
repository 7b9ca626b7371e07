'use client';

import { Badge, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { localTime } from '../../time';
import { ErrorAlert } from '../admin-page';
import { useAction } from '../use-action';
import { DefinitionDiff } from './definition-diff';
import type { PendingDrift } from './drift-types';

/** One withheld tool: what changed, and re-approval of the new definition (`gatehouse tools approve`). */
export function DriftCard({ drift, onApproved }: { drift: PendingDrift; onApproved: () => Promise<void> }) {
  const me = useMe();
  const action = useAction();

  const approve = async () => {
    await action.run(async () => {
      await api(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/drift/approve`, {
        method: 'POST',
        csrfToken: me.csrfToken,
        body: JSON.stringify({ profile: drift.profile, tool: drift.tool }),
      });
      await onApproved();
    });
  };

  return (
    <Paper withBorder p="md" component="article" aria-label={`${drift.profile}/${drift.tool}`} data-testid="drift-card">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h4">
            {drift.profile}/{drift.tool}
          </Title>
          <Badge color="orange" variant="light">
            withheld
          </Badge>
        </Group>
        <Text size="sm">
          Upstream{' '}
          <Code>
            {drift.server}/{drift.upstreamTool}
          </Code>{' '}
          changed; detected {localTime(drift.detectedAt)}. Clients of the profile do not see the tool until an admin approves the new
          definition. Read it: a changed description can carry instructions to the model.
        </Text>
        <DefinitionDiff approved={drift.approvedDefinition} next={drift.newDefinition} />
        <Group>
          <Button
            color="orange"
            loading={action.busy}
            onClick={() => void approve()}
            aria-label={`Approve the new definition of ${drift.profile}/${drift.tool}`}
          >
            Approve new definition
          </Button>
        </Group>
        <ErrorAlert error={action.error} title="The tool was not re-approved" />
      </Stack>
    </Paper>
  );
}
