import { Button, Group } from '@mantine/core';

/**
 * Downloads of everything the current search finds (not only this page): plain links to the
 * API's export, which streams the file, so the browser's own download handles any size.
 */
export function ExportButtons({ tenant, query }: { tenant: string; query: string }) {
  const href = (format: 'csv' | 'jsonl') => {
    const params = new URLSearchParams(query);
    for (const name of ['trace', 'cursor', 'limit']) params.delete(name);
    params.set('format', format);
    return `/api/tenants/${encodeURIComponent(tenant)}/traces/export?${params.toString()}`;
  };
  return (
    <Group gap="xs" role="group" aria-label="Export this search">
      <Button component="a" href={href('csv')} download variant="default" size="sm">
        Export CSV
      </Button>
      <Button component="a" href={href('jsonl')} download variant="default" size="sm">
        Export JSON lines
      </Button>
    </Group>
  );
}
