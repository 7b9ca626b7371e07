'use client';

import { Badge, Button, Code, Group, Modal, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { localTime } from '../../time';
import { ErrorAlert } from '../admin-page';
import { useAction } from '../use-action';
import type { TokenSummary } from './token-types';

const STATUS_COLOR = { active: 'green', expired: 'gray', revoked: 'red' } as const;

/** The tenant's tokens, newest first, each active one revocable after a confirmation. */
export function TokenTable({ items, onChanged }: { items: TokenSummary[]; onChanged: (notice: string | null) => Promise<void> }) {
  const me = useMe();
  const [revoking, setRevoking] = useState<TokenSummary | null>(null);
  const action = useAction();

  const revoke = async (token: TokenSummary) => {
    await action.run(async () => {
      const out = await api<{ gatewaysNotified: boolean }>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/tokens/${token.id}`, {
        method: 'DELETE',
        csrfToken: me.csrfToken,
      });
      setRevoking(null);
      await onChanged(
        out.gatewaysNotified
          ? null
          : 'Revoked, but the gateways could not be told over Redis: they refuse the token once their cache expires (30 s).',
      );
    });
  };

  if (items.length === 0) return <Text>No tokens yet.</Text>;
  return (
    <>
      <ErrorAlert error={action.error} title="The token was not revoked" />
      <Table striped data-testid="tokens-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User</Table.Th>
            <Table.Th>Label</Table.Th>
            <Table.Th>Token</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((t) => (
            <Table.Tr key={t.id} data-token-id={t.id}>
              <Table.Td>{t.userEmail}</Table.Td>
              <Table.Td>{t.name ?? '—'}</Table.Td>
              <Table.Td>
                <Code>{t.prefix}…</Code>
              </Table.Td>
              <Table.Td>{localTime(t.createdAt)}</Table.Td>
              <Table.Td>{t.expiresAt ? localTime(t.expiresAt) : 'never'}</Table.Td>
              <Table.Td>{t.lastUsedAt ? localTime(t.lastUsedAt) : 'not yet'}</Table.Td>
              <Table.Td>
                <Badge color={STATUS_COLOR[t.status]} variant="light" title={t.revokedAt ? `revoked ${localTime(t.revokedAt)}` : undefined}>
                  {t.status}
                </Badge>
              </Table.Td>
              <Table.Td>
                {t.status === 'active' && (
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    onClick={() => setRevoking(t)}
                    aria-label={`Revoke ${t.name ?? t.prefix} of ${t.userEmail}`}
                  >
                    Revoke
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title="Revoke this token?">
        {revoking && (
          <>
            <Text size="sm">
              <Code>{revoking.prefix}…</Code> of {revoking.userEmail} stops working at every gateway right away. This cannot be undone.
            </Text>
            <Group justify="flex-end" mt="md">
              <Button variant="default" onClick={() => setRevoking(null)}>
                Cancel
              </Button>
              <Button color="red" loading={action.busy} onClick={() => void revoke(revoking)}>
                Revoke token
              </Button>
            </Group>
          </>
        )}
      </Modal>
    </>
  );
}
