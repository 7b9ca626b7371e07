'use client';

import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';

/** Monospace for what is typed (URLs, commands, header values), not for the label and description around it. */
export const MONO_INPUT = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

export interface KeyValueRow {
  key: string;
  value: string;
}

export const rowsOf = (values: Record<string, string> | undefined): KeyValueRow[] =>
  Object.entries(values ?? {}).map(([key, value]) => ({ key, value }));

/** Rows with a key, as the API expects them; blank rows are dropped (a half-typed row is not a header). */
export const recordOf = (rows: KeyValueRow[]): Record<string, string> =>
  Object.fromEntries(rows.filter((r) => r.key.trim() !== '').map((r) => [r.key.trim(), r.value]));

/** Headers or environment variables as name/value rows, each labelled for screen readers by its position. */
export function KeyValueRows({
  label,
  hint,
  keyLabel,
  rows,
  onChange,
}: {
  label: string;
  hint: string;
  keyLabel: string;
  rows: KeyValueRow[];
  onChange: (rows: KeyValueRow[]) => void;
}) {
  const set = (i: number, patch: Partial<KeyValueRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap={4} role="group" aria-label={label}>
      <Text fw={500} size="sm">
        {label}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
      {rows.map((row, i) => (
        <Group key={i} gap="xs" wrap="nowrap" align="flex-end">
          <TextInput
            aria-label={`${label} ${i + 1} ${keyLabel}`}
            placeholder={keyLabel}
            value={row.key}
            onChange={(e) => set(i, { key: e.currentTarget.value })}
            w={200}
          />
          <TextInput
            aria-label={`${label} ${i + 1} value`}
            placeholder="value or ${secret:NAME}"
            value={row.value}
            onChange={(e) => set(i, { value: e.currentTarget.value })}
            style={{ flex: 1 }}
            styles={MONO_INPUT}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            size="lg"
            aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button size="xs" variant="subtle" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          {`Add ${keyLabel.toLowerCase()}`}
        </Button>
      </Group>
    </Stack>
  );
}
