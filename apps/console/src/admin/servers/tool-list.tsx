import { List, Text } from '@mantine/core';
import type { ToolSummary } from './server-types';

/** Tool names and descriptions as the upstream sends them: text only, never markup. */
export function ToolList({ tools, testId }: { tools: ToolSummary[]; testId?: string }) {
  if (tools.length === 0) return <Text size="sm">The server offers no tools.</Text>;
  return (
    <List size="sm" spacing={2} data-testid={testId}>
      {tools.map((t) => (
        <List.Item key={t.name}>
          <Text span ff="monospace" fw={600}>
            {t.name}
          </Text>
          {t.description ? ` — ${t.description}` : ''}
        </List.Item>
      ))}
    </List>
  );
}
