'use client';

import { Alert, Anchor, Box, Button, Group, NativeSelect, SimpleGrid, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState, type FormEvent } from 'react';
import { api, TRACE_STATUSES, type Page, type Trace } from '../../src/api-client';
import { hasRole, useMe } from '../../src/session';
import { StatusBadge } from '../../src/status-badge';
import { ExportButtons } from '../../src/traces/export-buttons';
import { TimeRange, timeRangeParams } from '../../src/traces/time-range';
import { TraceDetail } from '../../src/traces/trace-detail';
import { localTime } from '../../src/time';
import { LoadState } from '../../src/load-state';

/** Every filter lives in the query string, so a search (and the page of it) is a shareable URL. */
const TEXT_FILTERS = ['user', 'tool', 'server', 'profile', 'client'] as const;

function TraceSearch() {
  const me = useMe();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = params.toString();
  const [page, setPage] = useState<Page<Trace> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const selected = params.get('trace');
  // A shared link's trace may not be on this page of results: it is then read on its own.
  const [linked, setLinked] = useState<Trace | null>(null);
  const [linkedError, setLinkedError] = useState<string | null>(null);
  const tenantPath = `/api/tenants/${encodeURIComponent(me.tenant.slug)}/traces`;

  useEffect(() => {
    const apiQuery = new URLSearchParams(query);
    apiQuery.delete('trace');
    let live = true;
    setError(null);
    api<Page<Trace>>(`${tenantPath}?${apiQuery.toString()}`)
      .then((p) => live && setPage(p))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [query, tenantPath]);

  const go = (next: URLSearchParams) => router.push(`${pathname}?${next.toString()}`);
  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    const fields: Record<string, string | undefined> = {
      ...Object.fromEntries(TEXT_FILTERS.map((name) => [name, String(form.get(name) ?? '')])),
      status: String(form.get('status') ?? ''),
      ...timeRangeParams(form),
      q: String(form.get('q') ?? ''),
    };
    for (const [name, value] of Object.entries(fields)) if (value?.trim()) next.set(name, value.trim());
    go(next);
  };
  const withParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(query);
    if (value === null) next.delete(name);
    else next.set(name, value);
    return `${pathname}?${next.toString()}`;
  };
  const nextPage = () => {
    const next = new URLSearchParams(query);
    next.delete('trace');
    if (page?.nextCursor) next.set('cursor', page.nextCursor);
    go(next);
  };
  const onPage = page?.items.find((t) => t.id === selected) ?? null;
  useEffect(() => {
    setLinked(null);
    setLinkedError(null);
    if (!selected || !page || onPage) return;
    let live = true;
    api<Trace>(`${tenantPath}/${encodeURIComponent(selected)}`)
      .then((t) => live && setLinked(t))
      .catch((e: unknown) => live && setLinkedError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [selected, page, onPage, tenantPath]);
  const detail = onPage ?? linked;

  return (
    <>
      <Title order={1}>Trace search</Title>
      {me.role === 'member' && <Text c="dimmed">Members see their own tool calls.</Text>}
      <Box component="form" onSubmit={search} role="search" aria-label="Trace filters" key={query} my="md">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4, xl: 5 }} spacing="sm" verticalSpacing="xs">
          {TEXT_FILTERS.map((name) => (
            <TextInput key={name} label={name[0]?.toUpperCase() + name.slice(1)} name={name} defaultValue={params.get(name) ?? ''} />
          ))}
          <NativeSelect
            label="Status"
            name="status"
            defaultValue={params.get('status') ?? ''}
            data={[{ value: '', label: 'any' }, ...TRACE_STATUSES.map((s) => ({ value: s, label: s.replace('_', ' ') }))]}
          />
          <TimeRange since={params.get('since')} until={params.get('until')} />
          <TextInput label="Text in arguments" name="q" type="search" defaultValue={params.get('q') ?? ''} />
        </SimpleGrid>
        <Group mt="md" justify="space-between">
          <Group gap="sm">
            <Button type="submit">Search</Button>
            <Anchor component={Link} href={pathname}>
              Clear
            </Anchor>
          </Group>
          <ExportButtons tenant={me.tenant.slug} query={query} />
        </Group>
      </Box>
      <LoadState error={error} loading={!page} errorTitle="The search failed" />
      {page && (
        <>
          <Table.ScrollContainer minWidth={960}>
            <Table data-testid="traces-table" layout="fixed" striped highlightOnHover verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w="13%">Time</Table.Th>
                  <Table.Th w="15%">User</Table.Th>
                  <Table.Th w="11%">Client</Table.Th>
                  <Table.Th w="9%">Profile</Table.Th>
                  <Table.Th>Tool</Table.Th>
                  <Table.Th w="10%">Server</Table.Th>
                  <Table.Th w="12%">Status</Table.Th>
                  <Table.Th w="8%">Latency</Table.Th>
                  <Table.Th w="7%">
                    <VisuallyHidden>Details</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((t) => (
                  <Table.Tr
                    key={t.id}
                    data-trace-id={t.id}
                    aria-selected={t.id === selected}
                    bg={t.id === selected ? 'indigo.0' : undefined}
                  >
                    <Table.Td>{localTime(t.createdAt)}</Table.Td>
                    <Table.Td>{t.userEmail ?? '—'}</Table.Td>
                    <Table.Td>{t.clientName ?? '—'}</Table.Td>
                    <Table.Td>{t.profile}</Table.Td>
                    <Table.Td>{t.exposedTool}</Table.Td>
                    <Table.Td>{t.server ?? '—'}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={t.status} />
                    </Table.Td>
                    <Table.Td>{Math.round(t.latencyMs)} ms</Table.Td>
                    <Table.Td>
                      <Anchor
                        component={Link}
                        href={withParam('trace', t.id)}
                        scroll={false}
                        aria-label={`Details of ${t.exposedTool} at ${localTime(t.createdAt)}`}
                      >
                        Details
                      </Anchor>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {page.items.length === 0 && <Text mt="sm">No tool calls match.</Text>}
          <Group mt="sm">
            {params.get('cursor') && (
              <Anchor component={Link} href={withParam('cursor', null)}>
                First page
              </Anchor>
            )}
            {page.nextCursor && (
              <Button variant="default" onClick={nextPage}>
                Next page
              </Button>
            )}
          </Group>
          {selected && !detail && linkedError && (
            <Alert color="red" role="alert" mt="md">
              {linkedError}
            </Alert>
          )}
          {detail && <TraceDetail trace={detail} closeHref={withParam('trace', null)} canOpenApprovals={hasRole(me, 'approver')} />}
        </>
      )}
    </>
  );
}

export default function TracesPage() {
  return (
    <Suspense>
      <TraceSearch />
    </Suspense>
  );
}
