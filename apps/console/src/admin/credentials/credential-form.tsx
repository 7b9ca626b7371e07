'use client';

import { Group, PasswordInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { AdminForm } from '../admin-form';
import { useAction } from '../use-action';
import { secretPath } from './credential-types';

/**
 * Sets or replaces a secret. The value goes into a password field and is cleared once sent: the
 * console keeps no copy, and the API never returns it.
 */
export function CredentialForm({
  replacing,
  onSaved,
  onCancel,
}: {
  replacing: string | null;
  onSaved: (name: string) => void;
  onCancel: () => void;
}) {
  const me = useMe();
  const [name, setName] = useState(replacing ?? '');
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const action = useAction();

  const save = async () => {
    try {
      await api(secretPath(me.tenant.slug, name.trim()), {
        method: 'PUT',
        csrfToken: me.csrfToken,
        body: JSON.stringify({ value, ...(description.trim() ? { description: description.trim() } : {}) }),
      });
      onSaved(name.trim());
      setName('');
      setDescription('');
    } finally {
      setValue(''); // sent or refused, the console keeps no copy
    }
  };

  return (
    <AdminForm
      id="credential-form"
      title={replacing ? `Replace the value of ${replacing}` : 'Set a credential'}
      action={action}
      onSubmit={save}
      submitLabel={replacing ? 'Replace value' : 'Save credential'}
      onCancel={replacing ? onCancel : undefined}
      errorTitle="The credential was not saved"
      autoComplete="off"
    >
      <Group align="flex-end" wrap="wrap">
        <TextInput
          label="Name"
          description="Referenced in config as ${secret:NAME}"
          required
          disabled={replacing !== null}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          w={260}
        />
        <PasswordInput
          label="Value"
          required
          autoComplete="new-password"
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          w={300}
        />
        <TextInput
          label="Description"
          placeholder={replacing ? 'unchanged when left empty' : undefined}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          w={300}
        />
      </Group>
    </AdminForm>
  );
}
