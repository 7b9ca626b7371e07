'use client';

import { Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/**
 * Text an admin hands on (a YAML fragment to commit, SP metadata for the IdP team): shown verbatim,
 * with copy and, when `filename` is given, download as a file.
 */
export function CopyBlock({
  label,
  text,
  filename,
  mime = 'text/plain',
  testId,
}: {
  label: string;
  text: string;
  filename?: string;
  mime?: string;
  testId?: string;
}) {
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename ?? 'download.txt';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text fw={600}>{label}</Text>
        <Group gap="xs">
          <CopyButton value={text}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          {filename && (
            <Button size="xs" variant="light" onClick={download}>
              Download
            </Button>
          )}
        </Group>
      </Group>
      <Code block data-testid={testId} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {text}
      </Code>
    </Stack>
  );
}
