'use client';

import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { ErrorAlert } from '../admin-page';
import { errorText } from '../use-resource';
import { groupPath, type GroupMapping, type GroupMappingsView } from './group-types';

export function GroupMappingTable({
  items,
  onEdit,
  onChanged,
}: {
  items: GroupMapping[];
  onEdit: (mapping: GroupMapping) => void;
  onChanged: (view: GroupMappingsView) => void;
}) {
  const me = useMe();
  const [error, setError] = useState<string | null>(null);

  const remove = async (mapping: GroupMapping) => {
    if (!window.confirm(`Delete the mapping of "${mapping.idpGroup}"? Its members lose the role and profiles it gave them.`)) return;
    try {
      onChanged(await api<GroupMappingsView>(groupPath(me.tenant.slug, mapping.idpGroup), { method: 'DELETE', csrfToken: me.csrfToken }));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (items.length === 0) return <Text>No mappings: nobody who signs in through SSO gets a role or a profile.</Text>;
  return (
    <>
      <ErrorAlert error={error} title="The mapping was not deleted" />
      <Table striped data-testid="groups-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>IdP group</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Profiles</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((m) => (
            <Table.Tr key={m.idpGroup} data-idp-group={m.idpGroup}>
              <Table.Td>{m.idpGroup}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={m.role === 'admin' ? 'red' : m.role === 'approver' ? 'orange' : 'gray'}>
                  {m.role}
                </Badge>
              </Table.Td>
              <Table.Td>{m.profiles.length ? m.profiles.join(', ') : '—'}</Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end">
                  <Button size="xs" variant="light" onClick={() => onEdit(m)} aria-label={`Edit ${m.idpGroup}`}>
                    Edit
                  </Button>
                  <Button size="xs" variant="light" color="red" onClick={() => void remove(m)} aria-label={`Delete ${m.idpGroup}`}>
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
