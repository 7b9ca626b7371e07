'use client';

import { Button, Group, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../../api-client';
import { useMe } from '../../session';
import { ErrorAlert } from '../admin-page';
import { errorText } from '../use-resource';
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await api(secretPath(me.tenant.slug, name.trim()), {
        method: 'PUT',
        csrfToken: me.csrfToken,
        body: JSON.stringify({ value, ...(description.trim() ? { description: description.trim() } : {}) }),
      });
      setError(null);
      onSaved(name.trim());
      setName('');
      setDescription('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setValue('');
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={(e) => void submit(e)} aria-labelledby="credential-form" autoComplete="off">
      <Title order={2} size="h4" id="credential-form" mb="sm">
        {replacing ? `Replace the value of ${replacing}` : 'Set a credential'}
      </Title>
      <Stack gap="sm">
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
        <Group>
          <Button type="submit" loading={busy}>
            {replacing ? 'Replace value' : 'Save credential'}
          </Button>
          {replacing && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
        </Group>
        <ErrorAlert error={error} title="The credential was not saved" />
      </Stack>
    </Paper>
  );
}
