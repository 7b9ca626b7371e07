import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OAuth 2.0 token endpoint for tests: client credentials and refresh token grants
 * (client_secret_basic), short-lived access tokens, and rotating refresh tokens where reusing an
 * old one is an `invalid_grant` (what two workers refreshing at once would trigger).
 */
export async function startTestOAuthServer(options: {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  initialRefreshToken: string;
}) {
  const issued = new Map<string, number>(); // access token -> expiry (epoch ms)
  const stats = { clientCredentials: 0, refresh: 0, invalidGrant: 0, refused: 0 };
  let currentRefreshToken = options.initialRefreshToken;
  let counter = 0;
  let failing = false;

  const server: Server = createServer((req, res) => {
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
      if (grant === 'refresh_token') {
        if (form.get('refresh_token') !== currentRefreshToken) {
          stats.invalidGrant += 1;
          return answer(400, { error: 'invalid_grant', error_description: 'refresh token already used or unknown' });
        }
        stats.refresh += 1;
        currentRefreshToken = `rt-${++counter}-${Math.random().toString(36).slice(2)}`;
      } else if (grant === 'client_credentials') {
        stats.clientCredentials += 1;
      } else {
        return answer(400, { error: 'unsupported_grant_type' });
      }
      const accessToken = `at-${++counter}-${Math.random().toString(36).slice(2)}`;
      issued.set(accessToken, Date.now() + options.tokenTtlSeconds * 1000);
      return answer(200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: options.tokenTtlSeconds,
        ...(grant === 'refresh_token' ? { refresh_token: currentRefreshToken } : {}),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    tokenUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    stats,
    /** Whether a bearer header carries a token this server issued and that has not expired. */
    accepts: (authorization: string) => (issued.get(authorization.replace(/^Bearer /, '')) ?? 0) > Date.now(),
    currentRefreshToken: () => currentRefreshToken,
    setFailing: (value: boolean) => void (failing = value),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
