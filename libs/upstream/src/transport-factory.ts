import { SSEClientTransport, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { GatehouseError } from '@gatehouse/core';
import type { UpstreamServerConfig } from './upstream-config';
import { resolveSecretReferences, type SecretLookup } from './secret-references';
import { abortIsolatingFetch } from './abort-isolating-fetch';

/** Builds the SDK client transport for one upstream, with secrets injected at the last moment. */
export async function createUpstreamTransport(
  config: UpstreamServerConfig,
  secrets: SecretLookup,
  onStderr?: (line: string) => void,
): Promise<Transport> {
  switch (config.transport) {
    case 'http':
    case 'sse': {
      if (!config.url) throw new GatehouseError('upstream_unavailable', `server "${config.name}" has no url`);
      const headers = await resolveSecretReferences(config.tenantId, config.headers, secrets);
      const requestInit = { headers };
      const fetch = abortIsolatingFetch();
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
