import { TestIdp, type AssertionOptions } from './test-idp';

/** A browser with a cookie jar and manual redirects, for sign-in flows without a real browser. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      if (/max-age=0/i.test(line) || value.join('=') === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
    return response;
  }
}

export type SignInUser = Omit<AssertionOptions, 'acsUrl' | 'audience' | 'inResponseTo'>;

/**
 * SP-initiated SSO, as a browser does it: the API's login redirect to the IdP, the IdP's signed
 * response (built by the test IdP for `user`), the POST back to the ACS. Returns the ACS answer.
 */
export async function ssoSignIn(browser: TestBrowser, apiUrl: string, tenant: string, idp: TestIdp, user: SignInUser, returnTo = '/console'): Promise<Response> {
  const toIdp = await browser.fetch(`${apiUrl}/api/auth/saml/${tenant}/login?returnTo=${encodeURIComponent(returnTo)}`);
  if (toIdp.status !== 302) throw new Error(`login answered ${toIdp.status}: ${await toIdp.text()}`);
  const location = toIdp.headers.get('location') as string;
  const relayState = new URL(location).searchParams.get('RelayState') ?? '';
  const samlResponse = idp.response({ ...spUrls(apiUrl, tenant), inResponseTo: TestIdp.requestIdFrom(location), ...user });
  return postToAcs(browser, apiUrl, tenant, samlResponse, relayState);
}

export function spUrls(apiUrl: string, tenant: string): { acsUrl: string; audience: string } {
  return { acsUrl: `${apiUrl}/api/auth/saml/${tenant}/acs`, audience: `${apiUrl}/api/auth/saml/${tenant}/metadata` };
}

export function postToAcs(browser: TestBrowser, apiUrl: string, tenant: string, samlResponse: string, relayState = ''): Promise<Response> {
  return browser.fetch(`${apiUrl}/api/auth/saml/${tenant}/acs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }),
  });
}
