'use client';

import { Code, Paper, Stack, Table, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { ErrorAlert, Loading } from '../admin-page';
import { CopyBlock } from '../copy-block';
import type { ServiceProvider } from './sso-types';

/** Everything the IdP team needs: entity id, ACS URL, and the SP metadata XML to import. */
export function ServiceProviderCard({ tenant, sp }: { tenant: string; sp: ServiceProvider }) {
  const [xml, setXml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // The public metadata route answers XML, not JSON, so not through `api()`.
    fetch(`/api/auth/saml/${encodeURIComponent(tenant)}/metadata`, { cache: 'no-store' })
      .then(async (r) => {
        const text = await r.text();
        if (!r.ok) throw new Error(`The API answered ${r.status}: ${text.slice(0, 200)}`);
        setXml(text);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [tenant]);

  const rows: Array<[string, string]> = [
    ['Entity ID (audience)', sp.entityId],
    ['ACS URL (HTTP-POST)', sp.acsUrl],
    ['Metadata URL', sp.metadataUrl],
    ['SP-initiated login', sp.loginUrl],
  ];
  return (
    <Paper withBorder p="md" aria-labelledby="sp-title">
      <Title order={2} size="h4" id="sp-title" mb="sm">
        For the IdP team: Gatehouse as a service provider
      </Title>
      <Stack gap="sm">
        <Table data-testid="sp-urls">
          <Table.Tbody>
            {rows.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th w={220}>{label}</Table.Th>
                <Table.Td>
                  <Code>{value}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <ErrorAlert error={error} title="The SP metadata could not be loaded" />
        {xml ? (
          <CopyBlock
            label="SP metadata XML"
            text={xml}
            filename={`gatehouse-${tenant}-sp-metadata.xml`}
            mime="application/samlmetadata+xml"
            testId="sp-metadata"
          />
        ) : (
          !error && <Loading />
        )}
      </Stack>
    </Paper>
  );
}
