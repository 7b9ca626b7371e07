import { Anchor, Paper, SimpleGrid, Text } from '@mantine/core';
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Overview } from './overview-api';

const ms = (v: number | null) => (v === null ? '—' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

/** The window's headline numbers; `pending` only for people who can decide approvals. */
export function OverviewStats({ overview, pending }: { overview: Overview; pending: number | null }) {
  const { byStatus } = overview;
  const refused = (byStatus.denied ?? 0) + (byStatus.blocked ?? 0);
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: pending === null ? 4 : 5 }} spacing="sm" data-testid="overview-stats">
      <Stat label="Tool calls" value={String(overview.total)} testId="stat-total" note={refused ? `${refused} denied or blocked` : undefined} />
      <Stat
        label="Error rate"
        value={overview.errorRate === null ? '—' : `${(overview.errorRate * 100).toFixed(1)} %`}
        testId="stat-error-rate"
        note={`${byStatus.error ?? 0} failed`}
      />
      <Stat label="Latency p50" value={ms(overview.latencyMs.p50)} testId="stat-p50" note="calls that ran" />
      <Stat label="Latency p99" value={ms(overview.latencyMs.p99)} testId="stat-p99" note="calls that ran" />
      {pending !== null && (
        <Stat
          label="Pending approvals"
          value={String(pending)}
          testId="stat-pending"
          note={
            <Anchor component={Link} href="/approvals" size="sm">
              Open the inbox
            </Anchor>
          }
        />
      )}
    </SimpleGrid>
  );
}

function Stat({ label, value, note, testId }: { label: string; value: string; note?: ReactNode; testId: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="sm" c="dimmed" component="h2" m={0} fw={500}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
      {note && (
        <Text size="sm" c="dimmed">
          {note}
        </Text>
      )}
    </Paper>
  );
}
