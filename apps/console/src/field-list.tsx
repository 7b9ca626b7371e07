import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/** Label → value pairs (a trace's or an approval's facts) as a two-column table; empty values are skipped. */
export function FieldList({ fields }: { fields: Array<[string, ReactNode, string?] | false | null | undefined> }) {
  return (
    <Table variant="vertical" layout="fixed" withTableBorder maw={960}>
      <Table.Tbody>
        {fields
          .filter((f): f is [string, ReactNode, string?] => Boolean(f))
          .map(([label, value, testId]) => (
            <Table.Tr key={label}>
              <Table.Th w={180}>{label}</Table.Th>
              <Table.Td data-testid={testId} className="wrap">
                {value}
              </Table.Td>
            </Table.Tr>
          ))}
      </Table.Tbody>
    </Table>
  );
}
