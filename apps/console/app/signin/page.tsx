'use client';

import { Button, Text, TextInput, Title } from '@mantine/core';
import { useSearchParams } from 'next/navigation';
import { Suspense, useState, type FormEvent } from 'react';

const LAST_TENANT = 'gatehouse.lastTenant';

/** Sign-in starts the API's SP-initiated SAML login for the tenant; the IdP posts back to /api/…/acs. */
function SignInForm() {
  const params = useSearchParams();
  const returnTo = safePath(params.get('returnTo'));
  const [tenant, setTenant] = useState(
    () => params.get('tenant') ?? (typeof window === 'undefined' ? '' : (localStorage.getItem(LAST_TENANT) ?? '')),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const slug = tenant.trim().toLowerCase();
    if (!slug) return;
    localStorage.setItem(LAST_TENANT, slug);
    window.location.assign(`/api/auth/saml/${encodeURIComponent(slug)}/login?returnTo=${encodeURIComponent(returnTo)}`);
  };
  return (
    <form onSubmit={submit}>
      <Title order={1} mb="xs">
        Sign in to Gatehouse
      </Title>
      <Text c="dimmed" mb="lg">
        You sign in with your company&apos;s single sign-on.
      </Text>
      <TextInput
        label="Tenant"
        name="tenant"
        value={tenant}
        onChange={(e) => setTenant(e.currentTarget.value)}
        required
        autoComplete="organization"
        pattern="[a-z0-9-]+"
        description="Lower-case letters, digits and dashes, as in your Gatehouse address."
      />
      <Button type="submit" mt="md">
        Sign in with SSO
      </Button>
    </form>
  );
}

/** Only a path on this site: never an absolute URL someone slipped into the link. */
function safePath(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/signin') ? value : '/';
}

export default function SignInPage() {
  return (
    <Suspense>
      <SignInForm />
    </Suspense>
  );
}
