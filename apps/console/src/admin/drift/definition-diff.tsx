'use client';

import { Box, Code, Text } from '@mantine/core';
import { diffLines } from 'diff';

/** Keys sorted at every level, so a server that merely reorders keys shows no difference. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const pretty = (definition: Record<string, unknown>) => `${JSON.stringify(canonical(definition), null, 2)}\n`;

/**
 * The approved and the new upstream definition as a line diff (`-` approved, `+` new). The text is
 * what the upstream sent, so it is rendered as text only: a rug pull hides its payload there.
 */
export function DefinitionDiff({ approved, next }: { approved: Record<string, unknown> | null; next: Record<string, unknown> }) {
  if (!approved) {
    return (
      <>
        <Text size="sm">The approved definition was not recorded (approved before Gatehouse kept it); the new one in full:</Text>
        <Code block>{pretty(next)}</Code>
      </>
    );
  }
  const parts = diffLines(pretty(approved), pretty(next));
  return (
    <Box
      component="pre"
      data-testid="definition-diff"
      m={0}
      p="xs"
      style={{ overflowX: 'auto', fontSize: 13, border: '1px solid var(--mantine-color-gray-3)' }}
    >
      {parts.flatMap((part, i) =>
        part.value
          .replace(/\n$/, '')
          .split('\n')
          .map((line, j) => {
            const sign = part.added ? '+' : part.removed ? '-' : ' ';
            const color = part.added ? 'var(--mantine-color-green-1)' : part.removed ? 'var(--mantine-color-red-1)' : undefined;
            return (
              <div
                key={`${i}-${j}`}
                style={{ background: color }}
                data-change={part.added ? 'added' : part.removed ? 'removed' : undefined}
              >
                {sign} {line}
              </div>
            );
          }),
      )}
    </Box>
  );
}
