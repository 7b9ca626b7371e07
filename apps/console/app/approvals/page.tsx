'use client';

import { Anchor, Code, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import Link from 'next/link';
import { RequireRole } from '../../src/require-role';
import { PENDING_POLL_MS, usePending } from '../../src/session';
import { jsonPreview } from '../../src/text-blocks';
import { ago, timeLeft } from '../../src/time';
import { LoadState } from '../../src/load-state';

/** Pending approvals, newest first; the list is the one the navigation polls (no reload needed). */
function Inbox() {
  const pending = usePending();
  const now = Date.now();
  if (!pending) return null;
  return (
    <>
      <Title order={1}>Approvals inbox</Title>
      <Text c="dimmed" my="sm">
        Held tool calls waiting for a decision, newest first. Updates every {PENDING_POLL_MS / 1000} s.
        {pending.more && ' Showing the newest 200.'}
      </Text>
      <LoadState error={pending.error} loading={false} />
      {pending.items.length === 0 ? (
        <Text data-testid="inbox-empty">Nothing is waiting for approval.</Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table data-testid="approvals-table" layout="fixed" striped highlightOnHover captionSide="top" verticalSpacing="sm">
            <Table.Caption ta="left">{pending.items.length} pending</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w="14%">Caller</Table.Th>
                <Table.Th w="10%">Client</Table.Th>
                <Table.Th w="16%">Tool</Table.Th>
                <Table.Th w="8%">Profile</Table.Th>
                <Table.Th>Arguments</Table.Th>
                <Table.Th w="8%">Age</Table.Th>
                <Table.Th w="9%">Time left</Table.Th>
                <Table.Th w="7%">
                  <VisuallyHidden>Review</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pending.items.map((a) => (
                <Table.Tr key={a.id} data-approval-id={a.id}>
                  <Table.Td>{a.requesterEmail}</Table.Td>
                  <Table.Td>{a.clientName ? `${a.clientName}${a.clientVersion ? ` ${a.clientVersion}` : ''}` : '—'}</Table.Td>
                  <Table.Td>
                    <Text fw={600} size="sm">
                      {a.exposedTool}
                    </Text>
                    <Text c="dimmed" size="xs">
                      {a.server}/{a.upstreamTool}
                    </Text>
                  </Table.Td>
                  <Table.Td>{a.profile}</Table.Td>
                  <Table.Td>
                    <Code className="wrap">{jsonPreview(a.arguments)}</Code>
                  </Table.Td>
                  <Table.Td>{ago(a.createdAt, now)}</Table.Td>
                  <Table.Td>{timeLeft(a.expiresAt, now)}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} href={`/approvals/${a.id}`} aria-label={`Review ${a.exposedTool} from ${a.requesterEmail}`}>
                      Review
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}

export default function ApprovalsPage() {
  return (
    <RequireRole role="approver">
      <Inbox />
    </RequireRole>
  );
}
