'use client';

import { Button, Group, JsonInput, NativeSelect, Paper, Stack, TextInput, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { ApprovalPolicy, ProfileToolEntry, ProfileView } from './profile-types';

const APPROVALS: Array<{ value: ApprovalPolicy; label: string }> = [
  { value: 'auto', label: 'auto — unless the tool declares itself read-only' },
  { value: 'always', label: 'always' },
  { value: 'never', label: 'never' },
];

/**
 * One entry, new or edited: upstream tool, exposed name, description, pinned and hidden arguments,
 * approval. The page turns it into the profile's whole list; the API validates it as `apply` does.
 */
export function ToolEntryForm({
  catalog,
  editing,
  onSubmit,
  onCancel,
}: {
  catalog: ProfileView['catalog'];
  editing: ProfileToolEntry | null;
  onSubmit: (entry: ProfileToolEntry) => Promise<boolean>;
  onCancel: () => void;
}) {
  const [server, setServer] = useState(editing?.server ?? catalog[0]?.server ?? '');
  const [tool, setTool] = useState(editing?.tool ?? '');
  const [as, setAs] = useState(editing?.as ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [pin, setPin] = useState(editing?.pin ? JSON.stringify(editing.pin, null, 2) : '');
  const [hide, setHide] = useState((editing?.hide ?? []).join(', '));
  const [approval, setApproval] = useState<ApprovalPolicy>(editing?.approval ?? 'auto');
  const [pinError, setPinError] = useState<string | null>(null);
  const offered = catalog.find((c) => c.server === server)?.tools ?? null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let pinned: Record<string, unknown> | undefined;
    try {
      pinned = pin.trim() ? (JSON.parse(pin) as Record<string, unknown>) : undefined;
      setPinError(null);
    } catch {
      setPinError('Pinned values must be a JSON object, e.g. {"table": "users"}.');
      return;
    }
    const hidden = hide
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const entry: ProfileToolEntry = {
      server,
      tool: tool.trim(),
      ...(as.trim() ? { as: as.trim() } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(pinned && Object.keys(pinned).length ? { pin: pinned } : {}),
      ...(hidden.length ? { hide: hidden } : {}),
      ...(approval !== 'auto' ? { approval } : {}),
    };
    await onSubmit(entry);
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={(e) => void submit(e)} aria-labelledby="entry-form">
      <Title order={2} size="h4" id="entry-form" mb="sm">
        {editing ? `Edit ${editing.as ?? editing.tool}` : 'Add a tool'}
      </Title>
      <Stack gap="sm">
        <Group align="flex-end" wrap="wrap">
          <NativeSelect
            label="Server"
            data={catalog.map((c) => c.server)}
            value={server}
            onChange={(e) => setServer(e.currentTarget.value)}
            w={180}
          />
          {offered ? (
            <NativeSelect
              label="Upstream tool"
              data={[{ value: '', label: 'choose…' }, ...offered.map((t) => ({ value: t.name, label: t.name }))]}
              required
              value={tool}
              onChange={(e) => setTool(e.currentTarget.value)}
              w={240}
            />
          ) : (
            <TextInput
              label="Upstream tool"
              description="No gateway has listed this server's tools yet"
              required
              value={tool}
              onChange={(e) => setTool(e.currentTarget.value)}
              w={240}
            />
          )}
          <TextInput label="Expose as" placeholder="the upstream name" value={as} onChange={(e) => setAs(e.currentTarget.value)} w={220} />
          <NativeSelect
            label="Approval"
            data={APPROVALS}
            value={approval}
            onChange={(e) => setApproval(e.currentTarget.value as ApprovalPolicy)}
            w={320}
          />
        </Group>
        <Textarea
          label="Description"
          placeholder="the upstream description"
          autosize
          minRows={2}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
        <Group align="flex-start" grow>
          <JsonInput
            label="Pinned values (JSON)"
            description="Removed from the schema; always sent with these values"
            autosize
            minRows={2}
            value={pin}
            onChange={setPin}
            error={pinError}
          />
          <TextInput
            label="Hidden arguments"
            description="Comma-separated; removed from the schema"
            value={hide}
            onChange={(e) => setHide(e.currentTarget.value)}
          />
        </Group>
        <Group>
          <Button type="submit">{editing ? 'Save tool' : 'Add tool'}</Button>
          {editing && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
