'use client';

import { Group, NativeSelect, TextInput } from '@mantine/core';
import { useState } from 'react';

/**
 * The search's time range: a preset (`since=24h`, relative to each search), or a custom pair of
 * local date-times sent as ISO (`since` inclusive, `until` exclusive). Native date-time inputs:
 * the browser's own keyboard-accessible picker, in the user's locale and time zone.
 */
const PRESETS: Array<{ value: string; label: string }> = [
  { value: '', label: 'Any time' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
];
const CUSTOM = 'custom';
const RELATIVE = /^\d+\s*[a-z]+$/i;

/** ISO (or anything Date reads) → the `YYYY-MM-DDTHH:mm` local value a datetime-local input shows. */
function toLocalInput(value: string | null): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function TimeRange({ since, until }: { since: string | null; until: string | null }) {
  const relative = since !== null && !until && RELATIVE.test(since);
  const options = relative && !PRESETS.some((p) => p.value === since) ? [...PRESETS, { value: since, label: `Last ${since}` }] : PRESETS;
  const [range, setRange] = useState(since || until ? (relative ? since : CUSTOM) : '');
  return (
    <>
      <NativeSelect
        label="Time range"
        name="range"
        value={range}
        onChange={(e) => setRange(e.currentTarget.value)}
        data={[...options, { value: CUSTOM, label: 'Custom range…' }]}
      />
      {range === CUSTOM && (
        <Group grow gap="xs" align="flex-start" style={{ gridColumn: 'span 2' }}>
          <TextInput type="datetime-local" label="From" name="sinceLocal" defaultValue={toLocalInput(since)} />
          <TextInput type="datetime-local" label="Until" name="untilLocal" defaultValue={toLocalInput(until)} />
        </Group>
      )}
    </>
  );
}

/** The `since`/`until` query parameters for what the form holds. */
export function timeRangeParams(form: FormData): { since?: string; until?: string } {
  const range = String(form.get('range') ?? '');
  if (range !== CUSTOM) return range ? { since: range } : {};
  const iso = (name: string) => {
    const value = String(form.get(name) ?? '');
    return value ? new Date(value).toISOString() : undefined;
  };
  return { since: iso('sinceLocal'), until: iso('untilLocal') };
}
