'use client';

import { List, Paper, Stack, Text, Title } from '@mantine/core';
import { CopyBlock } from '../copy-block';
import type { ProfileView } from './profile-types';

/** The `tools/list` result a client gets, and what it costs in tokens in every conversation. */
export function ToolListPreview({ preview }: { preview: ProfileView['preview'] }) {
  return (
    <Paper withBorder p="md" aria-labelledby="preview-title">
      <Stack gap="xs">
        <Title order={2} size="h4" id="preview-title" data-testid="preview-summary">
          What a client sees: {preview.result.tools.length} tool(s), {preview.tokens} tokens
        </Title>
        <Text size="sm" c="dimmed">
          o200k_base tokens of the tools/list result JSON, as the gateway lists it when every upstream answers.
        </Text>
        {preview.withheld.length > 0 && (
          <List size="sm" data-testid="preview-withheld">
            {preview.withheld.map((w) => (
              <List.Item key={w.tool}>
                {w.tool}: not listed, {w.reason}
              </List.Item>
            ))}
          </List>
        )}
        <CopyBlock label="tools/list result" text={JSON.stringify(preview.result, null, 2)} testId="preview-json" />
      </Stack>
    </Paper>
  );
}
