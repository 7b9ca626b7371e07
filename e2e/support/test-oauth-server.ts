import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OAuth 2.0 authorization server for tests: client credentials, refresh token and
 * authorization code (PKCE S256) grants with client_secret_basic; short-lived access tokens, each
 * bound to a user; rotating refresh tokens where reusing an old one is an `invalid_grant` (what two
 * workers refreshing at once would trigger). `/authorize` approves at once, for the user named in
 * `login_hint` (the test plays the user signing in at the upstream).
 */
export async function startTestOAuthServer(options: {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  initialRefreshToken: string;
}) {
  const issued = new Map<string, { expiresAt: number; user: string }>();
  const refreshOwners = new Map<string, string>([[options.initialRefreshToken, 'service']]);
  const codes = new Map<string, { user: string; challenge: string; redirectUri: string }>();
  const stats = { clientCredentials: 0, refresh: 0, invalidGrant: 0, refused: 0, authorizationCode: 0 };
  let currentRefreshToken = options.initialRefreshToken;
  let counter = 0;
  let failing = false;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
      if (url.searchParams.get('client_id') !== options.clientId || url.searchParams.get('code_challenge_method') !== 'S256') {
        redirect.searchParams.set('error', 'invalid_request');
      } else {
        const code = `code-${++counter}`;
        codes.set(code, {
          user: url.searchParams.get('login_hint') ?? 'anonymous',
          challenge: url.searchParams.get('code_challenge') ?? '',
          redirectUri: redirect.toString(),
        });
        redirect.searchParams.set('code', code);
      }
      redirect.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: redirect.toString() }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: object) =>
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString('utf8')
        .split(':')
        .map((part) => decodeURIComponent(part));
      if (failing || req.url !== '/token' || id !== options.clientId || secret !== options.clientSecret) {
        stats.refused += 1;
        return answer(401, { error: 'invalid_client', error_description: 'client authentication failed' });
      }
      const grant = form.get('grant_type');
      let user = 'service';
      let refreshToken: string | undefined;
      if (grant === 'refresh_token') {
        const owner = refreshOwners.get(form.get('refresh_token') ?? '');
        if (!owner) {
          stats.invalidGrant += 1;
          return answer(400, { error: 'invalid_grant', error_description: 'refresh token already used or unknown' });
        }
        stats.refresh += 1;
        refreshOwners.delete(form.get('refresh_token') ?? '');
        user = owner;
        refreshToken = `rt-${++counter}-${Math.random().toString(36).slice(2)}`;
        refreshOwners.set(refreshToken, user);
        if (user === 'service') currentRefreshToken = refreshToken;
      } else if (grant === 'authorization_code') {
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (
          !code ||
          code.redirectUri.split('?')[0] !== form.get('redirect_uri') ||
          createHash('sha256').update(verifier).digest('base64url') !== code.challenge
        ) {
          stats.invalidGrant += 1;
          return answer(400, { error: 'invalid_grant', error_description: 'bad code, redirect_uri or code_verifier' });
        }
        stats.authorizationCode += 1;
        user = code.user;
        refreshToken = `rt-${++counter}-${Math.random().toString(36).slice(2)}`;
        refreshOwners.set(refreshToken, user);
      } else if (grant === 'client_credentials') {
        stats.clientCredentials += 1;
      } else {
        return answer(400, { error: 'unsupported_grant_type' });
      }
      const accessToken = `at-${++counter}-${Math.random().toString(36).slice(2)}`;
      issued.set(accessToken, { expiresAt: Date.now() + options.tokenTtlSeconds * 1000, user });
      return answer(200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: options.tokenTtlSeconds,
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    tokenUrl: `${base}/token`,
    stats,
    /** Whether a bearer header carries a token this server issued and that has not expired. */
    accepts: (authorization: string) => (issued.get(authorization.replace(/^Bearer /, ''))?.expiresAt ?? 0) > Date.now(),
    /** Whom a bearer header's token was issued to. */
    userOf: (authorization: string) => issued.get(authorization.replace(/^Bearer /, ''))?.user,
    authorizeUrl: `${base}/authorize`,
    currentRefreshToken: () => currentRefreshToken,
    setFailing: (value: boolean) => void (failing = value),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
