// oauth4webapi is ESM-only; this CommonJS build loads it with a real dynamic import, once.
type OAuth = typeof import('oauth4webapi', { with: { 'resolution-mode': 'import' } });
let loading: Promise<OAuth> | undefined;

export function loadOAuth(): Promise<OAuth> {
  loading ??= import('oauth4webapi');
  return loading;
}

/** An authorization server's refusal in words: `invalid_client (client authentication failed)`. */
export function describeOAuthError(error: unknown): string {
  const e = error as {
    error?: string;
    error_description?: string;
    message?: string;
    cause?: { error?: string; error_description?: string };
  };
  const code = e.error ?? e.cause?.error;
  const text = e.error_description ?? e.cause?.error_description;
  if (code) return text ? `${code} (${text})` : code;
  return e.message ?? String(error);
}

/** Where the token endpoint is, as oauth4webapi wants it (no discovery: the config names it). */
export function tokenEndpointServer(tokenUrl: string): { issuer: string; token_endpoint: string } {
  return { issuer: new URL(tokenUrl).origin, token_endpoint: tokenUrl };
}
