import type { Request } from 'express';
import type { Principal } from '@gatehouse/identity';

/** Who is signed in to the console in this browser, for the OAuth authorize step. */
export interface BrowserSessionReader {
  principal(req: Request, tenantSlug: string): Promise<Principal | null>;
}

export const BROWSER_SESSION_READER = Symbol('BROWSER_SESSION_READER');

/** Where a browser without a session is sent to sign in through the tenant's IdP. */
export function ssoLoginPath(tenantSlug: string, returnTo: string): string {
  return `/api/auth/saml/${encodeURIComponent(tenantSlug)}/login?returnTo=${encodeURIComponent(returnTo)}`;
}
