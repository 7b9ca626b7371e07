'use client';

import { Badge, Button, Code, Group, Table, Text } from '@mantine/core';
import { exposedName, type ProfileToolEntry } from './profile-types';

export function ToolEntryTable({
  entries,
  onEdit,
  onRemove,
}: {
  entries: ProfileToolEntry[];
  onEdit: (entry: ProfileToolEntry) => void;
  onRemove: (entry: ProfileToolEntry) => void;
}) {
  if (entries.length === 0) return <Text>The profile exposes no tools.</Text>;
  return (
    <Table striped data-testid="profile-tools-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Exposed as</Table.Th>
          <Table.Th>Upstream</Table.Th>
          <Table.Th>Description</Table.Th>
          <Table.Th>Pinned / hidden</Table.Th>
          <Table.Th>Approval</Table.Th>
          <Table.Th aria-label="Actions" />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((e) => (
          <Table.Tr key={exposedName(e)} data-tool={exposedName(e)}>
            <Table.Td>
              <Code>{exposedName(e)}</Code>
            </Table.Td>
            <Table.Td>
              {e.server}/{e.tool}
            </Table.Td>
            <Table.Td>
              {e.description ?? (
                <Text span c="dimmed">
                  upstream&apos;s
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              {e.pin && <Code>{JSON.stringify(e.pin)}</Code>} {e.hide?.join(', ')}
            </Table.Td>
            <Table.Td>
              <Badge variant="light" color={e.approval === 'never' ? 'red' : e.approval === 'always' ? 'orange' : 'gray'}>
                {e.approval ?? 'auto'}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Group gap="xs" justify="flex-end">
                <Button size="xs" variant="light" onClick={() => onEdit(e)} aria-label={`Edit ${exposedName(e)}`}>
                  Edit
                </Button>
                <Button size="xs" variant="light" color="red" onClick={() => onRemove(e)} aria-label={`Remove ${exposedName(e)}`}>
                  Remove
                </Button>
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
