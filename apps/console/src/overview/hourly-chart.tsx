'use client';

import { AreaChart, BarChart } from '@mantine/charts';
import { Group, Paper, SegmentedControl, Table, Text, Title } from '@mantine/core';
import { useId, useState } from 'react';
import type { HourlySeries, OverviewWindow } from './overview-api';

/** Distinct hues that keep 3:1 against white for the areas and bars (text never sits on them). */
const PALETTE = ['indigo.7', 'teal.8', 'orange.8', 'grape.7', 'cyan.8', 'red.8', 'lime.9', 'gray.7'];

/**
 * Calls per hour, stacked by series (tools or profiles), with its text alternative: a one-line
 * summary that screen readers get as the chart's description, and a table view of the same
 * numbers. Series names come from tool and profile names, so they are never used as recharts
 * data keys (a dot in a key would be read as a path): each gets a plain `s0`, `s1`… key.
 */
export function HourlyChart({
  title,
  series,
  window: span,
  kind,
  testId,
}: {
  title: string;
  series: HourlySeries;
  window: OverviewWindow;
  kind: 'area' | 'bar';
  testId: string;
}) {
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const id = useId();
  const tick = (iso: string) =>
    new Date(iso).toLocaleString(undefined, span === '24h' ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'short', hour: '2-digit' });
  const data = series.hours.map((h) => ({
    hour: tick(h.hour),
    ...Object.fromEntries(series.keys.map((k, i) => [`s${i}`, h.counts[k] ?? 0])),
  }));
  const chartSeries = series.keys.map((k, i) => ({ name: `s${i}`, label: k, color: PALETTE[i % PALETTE.length] }));
  const totals = series.keys.map((k) => [k, series.hours.reduce((n, h) => n + (h.counts[k] ?? 0), 0)] as const);
  const summary = totals.length
    ? `${totals.reduce((n, [, c]) => n + c, 0)} calls: ${totals.map(([k, c]) => `${k} ${c}`).join(', ')}.`
    : 'No calls in this window.';
  const common = {
    h: 260,
    data,
    dataKey: 'hour',
    series: chartSeries,
    type: 'stacked' as const,
    withLegend: true,
    legendProps: { verticalAlign: 'bottom' as const, height: 48 },
    tickLine: 'y' as const,
    yAxisProps: { allowDecimals: false },
    xAxisProps: { minTickGap: 24 },
  };
  return (
    <Paper
      withBorder
      p="md"
      component="figure"
      m={0}
      role="group"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-summary`}
      data-testid={testId}
    >
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h4" id={`${id}-title`}>
          {title}
        </Title>
        <SegmentedControl
          size="xs"
          aria-label={`Show ${title.toLowerCase()} as`}
          value={view}
          onChange={(v) => setView(v as 'chart' | 'table')}
          data={[
            { value: 'chart', label: 'Chart' },
            { value: 'table', label: 'Table' },
          ]}
        />
      </Group>
      <Text size="sm" c="dimmed" id={`${id}-summary`} className="wrap" data-testid={`${testId}-summary`}>
        {summary}
      </Text>
      {view === 'chart' ? (
        kind === 'area' ? (
          <AreaChart {...common} fillOpacity={0.5} withDots={false} />
        ) : (
          <BarChart {...common} />
        )
      ) : (
        <HourlyTable series={series} tick={tick} testId={`${testId}-table`} />
      )}
    </Paper>
  );
}

/** The hours that had calls, one row each; empty hours are left out (the summary says the totals). */
function HourlyTable({ series, tick, testId }: { series: HourlySeries; tick: (iso: string) => string; testId: string }) {
  const busy = series.hours.filter((h) => series.keys.some((k) => (h.counts[k] ?? 0) > 0));
  if (busy.length === 0) return <Text mt="sm">No calls in this window.</Text>;
  return (
    <Table.ScrollContainer minWidth={400} mah={320} mt="sm">
      <Table data-testid={testId} striped stickyHeader>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Hour starting</Table.Th>
            {series.keys.map((k) => (
              <Table.Th key={k} className="wrap">
                {k}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {busy.map((h) => (
            <Table.Tr key={h.hour}>
              <Table.Td>{tick(h.hour)}</Table.Td>
              {series.keys.map((k) => (
                <Table.Td key={k}>{h.counts[k] ?? 0}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
