import type { Client } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { Logger } from '@gatehouse/core';
import type { UpstreamPool, UpstreamServerConfig } from '@gatehouse/upstream';

/**
 * Resources and prompts of a profile's servers, passed through as the upstreams define them.
 * Listing aggregates every server that answers (one being down does not hide the others);
 * reads and gets go to the server that owns the URI or prompt name.
 */
export class Passthrough {
  constructor(
    private readonly pool: UpstreamPool,
    private readonly logger: Logger,
  ) {}

  async aggregate<T>(
    servers: UpstreamServerConfig[],
    list: (client: Client) => Promise<T[]>,
  ): Promise<Array<{ server: UpstreamServerConfig; item: T }>> {
    const results = await Promise.all(
      servers.map(async (server) => {
        try {
          const client = await this.pool.get(server).getClient();
          return (await list(client)).map((item) => ({ server, item }));
        } catch (error) {
          this.logger.warn({ server: server.name, err: error }, 'upstream listing failed; omitted');
          return [];
        }
      }),
    );
    return results.flat();
  }

  /** Subscribes, at the server that can read it, to updates of one resource. */
  async subscribe(servers: UpstreamServerConfig[], uri: string): Promise<void> {
    const owner = await this.ownerOf(servers, uri);
    await this.pool.get(owner).subscribeResource(uri);
  }

  private async ownerOf(servers: UpstreamServerConfig[], uri: string): Promise<UpstreamServerConfig> {
    for (const server of servers) {
      try {
        await (await this.pool.get(server).getClient()).readResource({ uri }, { cacheMode: 'bypass' });
        return server;
      } catch {
        // not this server's
      }
    }
    throw new ProtocolError(ProtocolErrorCode.ResourceNotFound, `Resource "${uri}" is not offered on this profile.`);
  }

  /** Tries each candidate server in order until one does not answer "not found". */
  async firstOwner<T>(servers: UpstreamServerConfig[], what: string, call: (client: Client) => Promise<T>): Promise<T> {
    let lastError: unknown = null;
    for (const server of servers) {
      try {
        return await call(await this.pool.get(server).getClient());
      } catch (error) {
        lastError = error;
        const notFound =
          error instanceof ProtocolError &&
          (error.code === ProtocolErrorCode.ResourceNotFound || error.code === ProtocolErrorCode.InvalidParams);
        if (!notFound) throw error;
      }
    }
    if (lastError) throw lastError;
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${what} is not offered on this profile.`);
  }
}
