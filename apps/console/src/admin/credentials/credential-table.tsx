'use client';

import { Button, Code, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { localTime } from '../../time';
import { ErrorAlert } from '../admin-page';
import { errorText } from '../use-resource';
import { secretPath, type SecretMetadata } from './credential-types';

export function CredentialTable({
  items,
  onReplace,
  onChanged,
}: {
  items: SecretMetadata[];
  onReplace: (name: string) => void;
  onChanged: () => Promise<void>;
}) {
  const me = useMe();
  const [error, setError] = useState<string | null>(null);

  const remove = async (name: string) => {
    if (!window.confirm(`Delete "${name}"? Servers whose config references \${secret:${name}} can no longer connect.`)) return;
    try {
      await api(secretPath(me.tenant.slug, name), { method: 'DELETE', csrfToken: me.csrfToken });
      setError(null);
      await onChanged();
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (items.length === 0) return <Text>No credentials in the vault yet.</Text>;
  return (
    <>
      <ErrorAlert error={error} title="The credential was not deleted" />
      <Table striped data-testid="credentials-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Description</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>Last set</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((s) => (
            <Table.Tr key={s.name} data-secret-name={s.name}>
              <Table.Td>
                <Code>{s.name}</Code>
              </Table.Td>
              <Table.Td>{s.description ?? '—'}</Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed">
                  write-only
                </Text>
              </Table.Td>
              <Table.Td>
                {localTime(s.updatedAt)} by {s.updatedBy}
              </Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end">
                  <Button size="xs" variant="light" onClick={() => onReplace(s.name)} aria-label={`Replace ${s.name}`}>
                    Replace
                  </Button>
                  <Button size="xs" variant="light" color="red" onClick={() => void remove(s.name)} aria-label={`Delete ${s.name}`}>
                    Delete
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
