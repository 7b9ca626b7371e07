'use client';

import { Alert } from '@mantine/core';
import { useState } from 'react';
import { AdminPage, ErrorAlert, Loading } from '../../../src/admin/admin-page';
import { CreateTokenForm } from '../../../src/admin/tokens/create-token-form';
import { NewTokenNotice } from '../../../src/admin/tokens/new-token-notice';
import { TokenTable } from '../../../src/admin/tokens/token-table';
import type { TokenSummary } from '../../../src/admin/tokens/token-types';
import { useResource } from '../../../src/admin/use-resource';
import { useMe } from '../../../src/session';

function Tokens() {
  const me = useMe();
  const tokens = useResource<{ items: TokenSummary[] }>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/tokens`);
  const [created, setCreated] = useState<{ token: string; item: TokenSummary } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <CreateTokenForm
        onCreated={(token, item) => {
          setCreated({ token, item });
          void tokens.reload();
        }}
      />
      {created && <NewTokenNotice token={created.token} item={created.item} onDismiss={() => setCreated(null)} />}
      {notice && (
        <Alert color="yellow" role="status">
          {notice}
        </Alert>
      )}
      <ErrorAlert error={tokens.error} title="The tokens could not be loaded" />
      {tokens.data ? (
        <TokenTable
          items={tokens.data.items}
          onChanged={async (message) => {
            setNotice(message);
            await tokens.reload();
          }}
        />
      ) : (
        !tokens.error && <Loading />
      )}
    </>
  );
}

export default function TokensPage() {
  return (
    <AdminPage title="Personal access tokens" intro="Tokens MCP clients and scripts use instead of SSO.">
      <Tokens />
    </AdminPage>
  );
}
