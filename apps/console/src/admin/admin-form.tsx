'use client';

import { Button, Group, Paper, Stack, Title } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { ErrorAlert } from './admin-page';
import type { Action } from './use-action';

/**
 * The frame of an admin form: a titled panel, its fields, the submit (and, while editing, cancel)
 * button, and the API's refusal. `onSubmit` runs through `action`, so the button shows it is busy.
 */
export function AdminForm({
  id,
  title,
  action,
  onSubmit,
  submitLabel,
  onCancel,
  errorTitle,
  autoComplete,
  children,
}: {
  id: string;
  title: ReactNode;
  action: Action;
  onSubmit: () => Promise<void>;
  submitLabel: string;
  /** Shows a Cancel button. */
  onCancel?: () => void;
  errorTitle: string;
  autoComplete?: 'off';
  children: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(onSubmit);
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-labelledby={id} autoComplete={autoComplete}>
      <Title order={2} size="h4" id={id} mb="sm">
        {title}
      </Title>
      <Stack gap="sm">
        {children}
        <Group>
          <Button type="submit" loading={action.busy}>
            {submitLabel}
          </Button>
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
        </Group>
        <ErrorAlert error={action.error} title={errorTitle} />
      </Stack>
    </Paper>
  );
}
