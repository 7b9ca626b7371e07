'use client';

import { Button, Group, NativeSelect, Paper, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { ErrorAlert } from '../admin-page';
import { errorText } from '../use-resource';
import { LIFETIMES, type TokenSummary } from './token-types';

/** Issues a token for a user of the tenant; hands the one-time token to `onCreated`. */
export function CreateTokenForm({ onCreated }: { onCreated: (token: string, item: TokenSummary) => void }) {
  const me = useMe();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [expiresIn, setExpiresIn] = useState('30d');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const created = await api<{ token: string; item: TokenSummary }>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/tokens`, {
        method: 'POST',
        csrfToken: me.csrfToken,
        body: JSON.stringify({ email: email.trim(), expiresIn, ...(name.trim() ? { name: name.trim() } : {}) }),
      });
      setError(null);
      setName('');
      onCreated(created.token, created.item);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={(e) => void submit(e)} aria-labelledby="new-token">
      <Title order={2} size="h4" id="new-token" mb="sm">
        New token
      </Title>
      <Group align="flex-end" wrap="wrap">
        <TextInput label="User email" required type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} w={280} />
        <TextInput label="Label" placeholder="e.g. CI pipeline" value={name} onChange={(e) => setName(e.currentTarget.value)} w={220} />
        <NativeSelect label="Expires in" data={LIFETIMES} value={expiresIn} onChange={(e) => setExpiresIn(e.currentTarget.value)} w={140} />
        <Button type="submit" loading={busy}>
          Create token
        </Button>
      </Group>
      <ErrorAlert error={error} title="The token was not created" />
    </Paper>
  );
}
