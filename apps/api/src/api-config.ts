import ms from 'ms';
import { z } from 'zod';
import { baseEnvSchema, loadEnvConfig, portSchema } from '@gatehouse/core';

const url = z
  .url({ error: 'must be a URL' })
  .transform((u) => u.replace(/\/+$/, ''));
const duration = z.string().transform((value, ctx) => {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !(parsed > 0)) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 10m, 12h or 30d' });
    return z.NEVER;
  }
  return parsed;
});

const apiEnvSchema = baseEnvSchema.extend({
  API_PORT: portSchema.default(3001),
  API_HOST: z.string().default('127.0.0.1'),
  /** Public base URL of the API (OAuth issuers, SSO URLs); defaults to http://HOST:PORT. */
  API_PUBLIC_URL: url.optional(),
  /** Public base URL of the gateway: OAuth tokens are issued for its `/mcp/{tenant}/{profile}` endpoints. */
  GATEWAY_PUBLIC_URL: url.default('http://127.0.0.1:8080'),
  OAUTH_ACCESS_TOKEN_TTL: duration.default(ms('10m')),
  OAUTH_REFRESH_TOKEN_TTL: duration.default(ms('30d')),
  /** Console sessions end after this long unused… */
  API_SESSION_IDLE: duration.default(ms('30m')),
  /** …and this long after sign-in in any case. */
  API_SESSION_MAX: duration.default(ms('12h')),
  /** Secure cookies; default: on when API_PUBLIC_URL is https. */
  API_COOKIE_SECURE: z.stringbool().optional(),
  /** Accept http:// client ID metadata documents on loopback hosts (local development and tests only). */
  OAUTH_ALLOW_LOOPBACK_CLIENT_METADATA: z.stringbool().default(false),
  /**
   * Accept stdio servers through `PUT /api/tenants/{t}/servers/{name}`. A stdio server is a command
   * every gateway host runs, so off by default: a console admin session is not a shell on the
   * gateways. `gatehouse apply` (a reviewed file) declares stdio servers either way.
   */
  API_ALLOW_STDIO_FROM_CONSOLE: z.stringbool().default(false),
});
export type ApiConfig = z.infer<typeof apiEnvSchema>;
export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig => loadEnvConfig(apiEnvSchema, env);
export const API_CONFIG = Symbol('API_CONFIG');
