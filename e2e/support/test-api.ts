import { inject } from 'vitest';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';

/** The API on a free port against the run's database and Redis; `env` adds or overrides settings. */
export function startTestApi(env: Record<string, string> = {}): Promise<RunningApi> {
  return startApi(
    loadApiConfig({ DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl'), API_PORT: '0', LOG_LEVEL: 'silent', ...env }),
  );
}

/** A bearer-token call to the API at `baseUrl()` (read at call time: the API starts in `beforeAll`), with a JSON body if given. */
export function apiCaller(baseUrl: () => string) {
  return (method: string, path: string, token: string, body?: unknown): Promise<Response> =>
    fetch(`${baseUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}
