'use client';

import { Checkbox, Group, NativeSelect, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api, type Role } from '../../api-client';
import { useMe } from '../../session';
import { AdminForm } from '../admin-form';
import { useAction } from '../use-action';
import { groupPath, type GroupMapping, type GroupMappingsView } from './group-types';

const ROLES: Array<{ value: Role; label: string }> = [
  { value: 'member', label: 'member — uses the profiles below' },
  { value: 'approver', label: 'approver — also decides held calls' },
  { value: 'admin', label: 'admin — also administers the tenant' },
];

/**
 * Adds a mapping, or edits `editing` (its IdP group is the key, so it is fixed). The API validates
 * it exactly as `gatehouse apply` validates a `groups:` entry and answers with the new state.
 */
export function GroupMappingForm({
  profiles,
  editing,
  onSaved,
  onCancel,
}: {
  profiles: string[];
  editing: GroupMapping | null;
  onSaved: (view: GroupMappingsView) => void;
  onCancel: () => void;
}) {
  const me = useMe();
  const [idpGroup, setIdpGroup] = useState(editing?.idpGroup ?? '');
  const [role, setRole] = useState<Role>(editing?.role ?? 'member');
  const [chosen, setChosen] = useState<string[]>(editing?.profiles ?? []);
  const action = useAction();

  const save = async () => {
    const view = await api<GroupMappingsView>(groupPath(me.tenant.slug, idpGroup.trim()), {
      method: 'PUT',
      csrfToken: me.csrfToken,
      body: JSON.stringify({ role, profiles: chosen }),
    });
    if (!editing) {
      setIdpGroup('');
      setChosen([]);
      setRole('member');
    }
    onSaved(view);
  };

  return (
    <AdminForm
      id="mapping-form"
      title={editing ? `Edit mapping of ${editing.idpGroup}` : 'Add a mapping'}
      action={action}
      onSubmit={save}
      submitLabel={editing ? 'Save mapping' : 'Add mapping'}
      onCancel={editing ? onCancel : undefined}
      errorTitle="The mapping was not saved"
    >
      <Group align="flex-end" wrap="wrap">
        <TextInput
          label="IdP group"
          description="As the IdP sends it in the groups attribute"
          required
          disabled={editing !== null}
          value={idpGroup}
          onChange={(e) => setIdpGroup(e.currentTarget.value)}
          w={300}
        />
        <NativeSelect label="Role" data={ROLES} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)} w={320} />
      </Group>
      {profiles.length === 0 ? (
        <Text size="sm">This tenant has no profiles yet.</Text>
      ) : (
        <Checkbox.Group label="Profiles" value={chosen} onChange={setChosen}>
          <Group mt={4}>
            {profiles.map((p) => (
              <Checkbox key={p} value={p} label={p} />
            ))}
          </Group>
        </Checkbox.Group>
      )}
    </AdminForm>
  );
}
