import type { AuthorizeRequest } from '@gatehouse/identity';

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Security headers for the consent and error pages: no framing (clickjacking), no scripts at all. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}code{background:#f2f2f2;padding:0 .25rem}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}</style></head><body>${body}</body></html>`;
}

/** The consent screen: which client, which endpoint (profile), as whom. Names come from the client and are escaped. */
export function consentPage(request: AuthorizeRequest, userEmail: string, ticket: string): string {
  const client = request.client.clientName ?? request.client.clientId;
  return page(
    'Allow access?',
    `<h1>Allow <code>${escape(client)}</code> to use Gatehouse as you?</h1>
<p>It asks for access to the <strong>${escape(request.profile)}</strong> tools of <strong>${escape(request.tenantSlug)}</strong>
(<code>${escape(request.resource)}</code>), acting as <strong>${escape(userEmail)}</strong>.</p>
<p>Client ID: <code>${escape(request.client.clientId)}</code><br>It will be sent back to: <code>${escape(request.redirectUri)}</code></p>
<form method="post">
<input type="hidden" name="ticket" value="${escape(ticket)}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(message: string): string {
  return page(
    'Sign-in request refused',
    `<h1>This sign-in request was refused</h1><p>${escape(message)}</p><p>Return to your application and try again.</p>`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', '<h1>You are signed out of Gatehouse</h1><p>Your identity provider ended your session.</p>');
}

export function connectedPage(server: string): string {
  return page(
    'Account connected',
    `<h1>Your ${escape(server)} account is connected</h1><p>Gatehouse now calls ${escape(server)} as you. You can close this window.</p>`,
  );
}

export function connectFailedPage(message: string): string {
  return page(
    'Connection failed',
    `<h1>Your account could not be connected</h1><p>${escape(message)}</p><p>Start again from Gatehouse.</p>`,
  );
}
