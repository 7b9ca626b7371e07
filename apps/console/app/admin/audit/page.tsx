'use client';

import { Button, Code, Table, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api, type AuditEntry, type Page } from '../../../src/api-client';
import { RequireRole } from '../../../src/require-role';
import { useMe } from '../../../src/session';
import { jsonPreview } from '../../../src/text-blocks';
import { localTime } from '../../../src/time';
import { LoadState } from '../../../src/load-state';

/** The admin audit log (GET /api/tenants/{tenant}/audit), newest first, keyset-paginated. */
function AuditLog() {
  const me = useMe();
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/tenants/${encodeURIComponent(me.tenant.slug)}/audit?limit=50`;

  const load = async (after: string | null) => {
    try {
      const page = await api<Page<AuditEntry>>(after ? `${base}&cursor=${encodeURIComponent(after)}` : base);
      setItems((prev) => (after ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setLoaded(true);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    void load(null);
  }, [base]);

  return (
    <>
      <Title order={1} mb="md">
        Admin audit log
      </Title>
      <LoadState error={error} loading={!loaded} />
      {loaded && (
        <Table.ScrollContainer minWidth={900}>
          <Table data-testid="audit-table" layout="fixed" striped highlightOnHover verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w="15%">Time</Table.Th>
                <Table.Th w="16%">Actor</Table.Th>
                <Table.Th w="15%">Action</Table.Th>
                <Table.Th w="16%">Target</Table.Th>
                <Table.Th>Change</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{localTime(e.createdAt)}</Table.Td>
                  <Table.Td>{e.actor}</Table.Td>
                  <Table.Td>{e.action}</Table.Td>
                  <Table.Td>
                    {e.targetType}
                    {e.targetId ? `: ${e.targetId}` : ''}
                  </Table.Td>
                  <Table.Td>
                    <Code className="wrap">{jsonPreview({ before: e.before, after: e.after }, 200)}</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {cursor && (
        <Button variant="default" mt="md" onClick={() => void load(cursor)}>
          Older entries
        </Button>
      )}
    </>
  );
}

export default function AdminAuditPage() {
  return (
    <RequireRole role="admin">
      <AuditLog />
    </RequireRole>
  );
}
