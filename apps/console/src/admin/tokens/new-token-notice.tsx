'use client';

import { Alert, Button, Code, CopyButton, Group, Text } from '@mantine/core';
import type { TokenSummary } from './token-types';

/** The raw token, once: the API keeps only its hash, so leaving this page loses it for good. */
export function NewTokenNotice({ token, item, onDismiss }: { token: string; item: TokenSummary; onDismiss: () => void }) {
  return (
    <Alert color="green" role="status" title={`Token created for ${item.userEmail}`} data-testid="new-token">
      <Text size="sm" mb="xs">
        Copy it now: it is shown only this once. Clients send it as <Code>Authorization: Bearer …</Code>.
      </Text>
      <Code block data-testid="new-token-value" style={{ wordBreak: 'break-all' }}>
        {token}
      </Code>
      <Group mt="xs" gap="xs">
        <CopyButton value={token}>
          {({ copied, copy }) => (
            <Button size="xs" onClick={copy}>
              {copied ? 'Copied' : 'Copy token'}
            </Button>
          )}
        </CopyButton>
        <Button size="xs" variant="subtle" onClick={onDismiss}>
          I have stored it
        </Button>
      </Group>
    </Alert>
  );
}
