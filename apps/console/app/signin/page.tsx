'use client';

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
      <h1>Sign in to Gatehouse</h1>
      <p className="muted">You sign in with your company&apos;s single sign-on.</p>
      <label>
        Tenant
        <input
          name="tenant"
          value={tenant}
          onChange={(e) => setTenant(e.target.value)}
          required
          autoComplete="organization"
          pattern="[a-z0-9-]+"
        />
      </label>
      <div className="actions">
        <button type="submit" className="primary">
          Sign in with SSO
        </button>
      </div>
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
