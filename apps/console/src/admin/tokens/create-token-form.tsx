'use client';

import { Group, NativeSelect, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { AdminForm } from '../admin-form';
import { useAction } from '../use-action';
import { LIFETIMES, type TokenSummary } from './token-types';

/** Issues a token for a user of the tenant; hands the one-time token to `onCreated`. */
export function CreateTokenForm({ onCreated }: { onCreated: (token: string, item: TokenSummary) => void }) {
  const me = useMe();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [expiresIn, setExpiresIn] = useState('30d');
  const action = useAction();

  const create = async () => {
    const created = await api<{ token: string; item: TokenSummary }>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/tokens`, {
      method: 'POST',
      csrfToken: me.csrfToken,
      body: JSON.stringify({ email: email.trim(), expiresIn, ...(name.trim() ? { name: name.trim() } : {}) }),
    });
    setName('');
    onCreated(created.token, created.item);
  };

  return (
    <AdminForm
      id="new-token"
      title="New token"
      action={action}
      onSubmit={create}
      submitLabel="Create token"
      errorTitle="The token was not created"
    >
      <Group align="flex-end" wrap="wrap">
        <TextInput label="User email" required type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} w={280} />
        <TextInput label="Label" placeholder="e.g. CI pipeline" value={name} onChange={(e) => setName(e.currentTarget.value)} w={220} />
        <NativeSelect label="Expires in" data={LIFETIMES} value={expiresIn} onChange={(e) => setExpiresIn(e.currentTarget.value)} w={140} />
      </Group>
    </AdminForm>
  );
}
