'use client';

import { Alert, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Role } from './api-client';
import { hasRole, useMe } from './session';

/**
 * Shows a 403 page instead of `children` to a user below `role`. The API refuses the data anyway;
 * this only keeps the console honest about why the page is empty.
 */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const me = useMe();
  if (hasRole(me, role)) return <>{children}</>;
  return (
    <section aria-labelledby="forbidden" data-testid="forbidden">
      <Title order={1} id="forbidden" mb="md">
        403 — Not allowed
      </Title>
      <Alert color="red" variant="light" maw={720}>
        <Text>
          This page needs the <strong>{role}</strong> role. You are signed in as {me.user.email} with the <strong>{me.role}</strong> role in{' '}
          {me.tenant.slug}.
        </Text>
        <Text mt="xs">Ask an admin of your tenant if you need access.</Text>
      </Alert>
    </section>
  );
}
