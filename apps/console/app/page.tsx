'use client';

import { Group, SegmentedControl, SimpleGrid, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api } from '../src/api-client';
import { HourlyChart } from '../src/overview/hourly-chart';
import { WINDOW_LABELS, type Overview, type OverviewWindow } from '../src/overview/overview-api';
import { OverviewStats } from '../src/overview/overview-stats';
import { hasRole, useMe, usePending } from '../src/session';
import { LoadState } from '../src/load-state';

/** Everyone's landing page: tool-call volume, errors and latency over a window (members: their own calls). */
export default function OverviewPage() {
  const me = useMe();
  const pending = usePending();
  const [span, setSpan] = useState<OverviewWindow>('24h');
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    api<Overview>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/overview?window=${span}`)
      .then((o) => live && setOverview(o))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [me.tenant.slug, span]);

  return (
    <>
      <Group justify="space-between" align="flex-end" mb="xs" wrap="wrap">
        <div>
          <Title order={1}>Overview</Title>
          <Text c="dimmed">
            {me.role === 'member' ? 'Your tool calls' : `Tool calls in ${me.tenant.slug}`}, {WINDOW_LABELS[span]} (hours in your time zone).
          </Text>
        </div>
        <SegmentedControl
          aria-label="Time window"
          value={span}
          onChange={(v) => setSpan(v as OverviewWindow)}
          data={[
            { value: '24h', label: '24 h' },
            { value: '7d', label: '7 d' },
          ]}
        />
      </Group>
      <LoadState error={error} loading={!overview} errorTitle="The overview could not be loaded" />
      {overview && (
        <>
          <OverviewStats overview={overview} pending={hasRole(me, 'approver') ? (pending?.items.length ?? 0) : null} />
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md" mt="md">
            <HourlyChart
              title="Calls per hour by tool"
              series={overview.byTool}
              window={overview.window}
              kind="area"
              testId="chart-by-tool"
            />
            <HourlyChart
              title="Calls per hour by profile"
              series={overview.byProfile}
              window={overview.window}
              kind="bar"
              testId="chart-by-profile"
            />
          </SimpleGrid>
        </>
      )}
    </>
  );
}
