import { SSEClientTransport, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { GatehouseError } from '@gatehouse/core';
import type { UpstreamServerConfig } from './upstream-config';
import { resolveSecretReferences, secretNames, type SecretLookup } from './secret-references';
import { abortIsolatingFetch } from './abort-isolating-fetch';
import type { UpstreamTokens } from './upstream-tokens';
import type { FetchLike } from '@modelcontextprotocol/client';

/** Where an upstream connection's credentials come from: vault secrets, and OAuth tokens for servers that use OAuth. */
export interface UpstreamCredentials {
  secrets: SecretLookup;
  tokens?: UpstreamTokens;
}

/** Builds the SDK client transport for one upstream, with secrets injected at the last moment. */
export async function createUpstreamTransport(
  config: UpstreamServerConfig,
  { secrets, tokens }: UpstreamCredentials,
  onStderr?: (line: string) => void,
  actingUserId?: string,
): Promise<Transport> {
  switch (config.transport) {
    case 'http':
    case 'sse': {
      if (!config.url) throw new GatehouseError('upstream_unavailable', `server "${config.name}" has no url`);
      const headersNow = () => resolveSecretReferences(config.tenantId, config.headers, secrets);
      const headers = await headersNow(); // a missing secret fails the connection now, with its name
      const usesSecrets = Object.values(config.headers).some((v) => secretNames(v).length > 0);
      // Headers naming secrets are resolved per request (from the lookup's short cache), so a rotated
      // secret takes effect without reconnecting and no transport holds the value for its lifetime.
      const base = usesSecrets ? withResolvedHeaders(abortIsolatingFetch(), headersNow) : abortIsolatingFetch();
      const fetch = config.oauth ? withAccessToken(base, config, requireTokens(tokens, config), actingUserId) : base;
      const requestInit = usesSecrets ? {} : { headers };
      return config.transport === 'http'
        ? new StreamableHTTPClientTransport(new URL(config.url), { requestInit, fetch })
        : new SSEClientTransport(new URL(config.url), { requestInit, fetch });
    }
    case 'stdio': {
      if (!config.command) throw new GatehouseError('upstream_unavailable', `server "${config.name}" has no command`);
      const env = await resolveSecretReferences(config.tenantId, config.env, secrets);
      const transport = new StdioClientTransport({
        command: config.command,
        args: config.args,
        env: { ...getDefaultEnvironment(), ...env },
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => onStderr?.(chunk.toString('utf8').trimEnd()));
      return transport;
    }
  }
}

function withResolvedHeaders(base: FetchLike, resolve: () => Promise<Record<string, string>>): FetchLike {
  return async (url, init) => {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(await resolve())) headers.set(name, value);
    return base(url, { ...init, headers });
  };
}

function requireTokens(tokens: UpstreamTokens | undefined, config: UpstreamServerConfig): UpstreamTokens {
  if (!tokens)
    throw new GatehouseError('upstream_unavailable', `server "${config.name}" uses OAuth, which needs the vault (GATEHOUSE_MASTER_KEY)`);
  return tokens;
}

/**
 * Sends the server's current OAuth access token. A 401 means the upstream no longer takes that
 * token (revoked, or expired early): one retry with a fresh one, then the answer stands.
 */
function withAccessToken(base: FetchLike, config: UpstreamServerConfig, tokens: UpstreamTokens, actingUserId?: string): FetchLike {
  return async (url, init) => {
    const send = (token: string) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return base(url, { ...init, headers });
    };
    const token = await tokens.accessToken(config, undefined, actingUserId);
    const response = await send(token);
    if (response.status !== 401) return response;
    await response.body?.cancel().catch(() => undefined);
    return send(await tokens.accessToken(config, token, actingUserId));
  };
}
