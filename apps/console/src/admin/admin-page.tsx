'use client';

import { Alert, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { RequireRole } from '../require-role';

/** The frame of every admin page: admins only, a title, a one-line purpose, and the API's errors. */
export function AdminPage({ title, intro, children }: { title: string; intro: ReactNode; children: ReactNode }) {
  return (
    <RequireRole role="admin">
      <Stack gap="md">
        <Title order={1}>{title}</Title>
        <Text c="dimmed">{intro}</Text>
        {children}
      </Stack>
    </RequireRole>
  );
}

export function ErrorAlert({ error, title = 'The API refused this' }: { error: string | null; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert" data-testid="admin-error">
      {error}
    </Alert>
  );
}

export function Loading() {
  return <Loader size="sm" aria-label="Loading" />;
}
