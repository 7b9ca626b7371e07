import {
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  type CallToolResult,
  type McpSubscription,
  type Tool,
} from '@modelcontextprotocol/client';
import { GatehouseError, type Logger } from '@gatehouse/core';
import type { UpstreamServerConfig } from './upstream-config';
import { currentCall, type CallContext, type CallRelay } from './call-relay';
import { createUpstreamTransport, type UpstreamCredentials } from './transport-factory';

export type CatalogKind = 'tools' | 'resources' | 'prompts';

export interface UpstreamConnectionEvents {
  /** The upstream's tool/resource/prompt list changed (caches were already refreshed). */
  onListChanged?: (server: UpstreamServerConfig, kind: CatalogKind) => void;
  /** A resource the gateway subscribed to changed upstream. */
  onResourceUpdated?: (server: UpstreamServerConfig, uri: string) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
  meta?: Record<string, unknown>;
  /** Where server→client requests and log messages of this call go. */
  relay?: CallRelay;
}

/** Server→client requests relayed to the calling client. */
const RELAYED_REQUESTS = ['sampling/createMessage', 'elicitation/create', 'roots/list'] as const;

const GATEWAY_INFO = { name: 'gatehouse-gateway', version: '0.1.0' };
const MAX_BACKOFF_MS = 30_000;

/**
 * One live MCP client session to one upstream server, shared by every downstream session that
 * uses the server. Connects lazily, negotiates the protocol era the upstream speaks, keeps its
 * tool list cached (refreshed on `list_changed`), and — for stdio — restarts a child process that
 * died, with exponential backoff, so one crashing server cannot spin the CPU.
 */
export class UpstreamConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private tools: Tool[] | null = null;
  private toolsFetchedAt = 0;
  private toolsLoading: Promise<Tool[]> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs = 500;
  private closed = false;
  private lastError: string | null = null;
  private connectedAt = 0;
  /** Open 2026-era listen subscriptions, one per resource URI (the successor of resources/subscribe). */
  private readonly resourceListens = new Map<string, Promise<McpSubscription>>();
  /** Calls in flight with a relay, for upstreams whose messages carry no call context (stdio). */
  private readonly inflight = new Set<CallRelay>();

  constructor(
    readonly config: UpstreamServerConfig,
    private readonly credentials: UpstreamCredentials,
    private readonly logger: Logger,
    private readonly events: UpstreamConnectionEvents = {},
    private readonly toolsRefreshMs = 60_000,
    /** Set for a per-user OAuth server's connection of one user: its requests carry that user's token. */
    readonly actingUserId?: string,
  ) {}

  get status(): { connected: boolean; lastError: string | null; protocolVersion: string | null } {
    return {
      connected: this.client !== null,
      lastError: this.lastError,
      protocolVersion: this.client?.getNegotiatedProtocolVersion() ?? null,
    };
  }

  async getClient(): Promise<Client> {
    if (this.closed) throw new GatehouseError('upstream_unavailable', `server "${this.config.name}" is shutting down`);
    if (this.client) return this.client;
    if (this.restartTimer) {
      throw new GatehouseError(
        'upstream_unavailable',
        `server "${this.config.name}" is restarting after it exited (${this.lastError ?? 'unknown error'}); try again shortly`,
      );
    }
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /**
   * The upstream's tools, cached. The cache also expires after `toolsRefreshMs`: a server that
   * changes a definition without announcing it (a rug pull) is caught at the next refresh.
   */
  async listTools(): Promise<Tool[]> {
    if (this.tools && Date.now() - this.toolsFetchedAt < this.toolsRefreshMs) return this.tools;
    this.toolsLoading ??= this.getClient()
      .then((client) => client.listTools(undefined, { cacheMode: 'bypass' }))
      .then((result) => {
        this.tools = result.tools;
        this.toolsFetchedAt = Date.now();
        return result.tools;
      })
      .finally(() => {
        this.toolsLoading = null;
      });
    return this.toolsLoading;
  }

  /** The cached tool list without I/O, or null when not loaded yet. */
  cachedTools(): Tool[] | null {
    return this.tools;
  }

  async callTool(name: string, args: Record<string, unknown>, options: CallOptions = {}): Promise<CallToolResult> {
    const client = await this.getClient();
    const call = () =>
      client
        .callTool(
          { name, arguments: args, ...(options.meta ? { _meta: options.meta } : {}) },
          { signal: options.signal, onprogress: options.onprogress, timeout: this.config.timeoutMs, resetTimeoutOnProgress: true },
        )
        .catch((error: unknown) => {
          throw this.timedOut(error, name, options.signal) ?? error;
        }) as Promise<CallToolResult>;
    const relay = options.relay;
    if (!relay) return call();
    const context: CallContext = { relay };
    this.inflight.add(relay);
    try {
      return await currentCall.run(context, call);
    } finally {
      context.relay = undefined;
      this.inflight.delete(relay);
    }
  }

  /**
   * The SDK's own timeout ("Request timed out", which it has already sent upstream as a
   * cancellation) as an error naming the server, the tool and the limit. A caller's abort reaches
   * here as the same SDK error and is left alone.
   */
  private timedOut(error: unknown, tool: string, signal: AbortSignal | undefined): GatehouseError | null {
    if (signal?.aborted || !(error instanceof SdkError) || error.code !== SdkErrorCode.RequestTimeout) return null;
    const { name, timeoutMs } = this.config;
    return new GatehouseError(
      'upstream_timeout',
      `server "${name}" did not answer "${tool}" within ${timeoutMs} ms (its timeoutMs); Gatehouse cancelled the call upstream.`,
      { server: name, timeoutMs },
    );
  }

  /**
   * The call an upstream message belongs to: the async context when the transport provides it,
   * else the only call in flight. With several calls in flight on a context-less transport the
   * 2025 protocol gives no way to tell, and the message is refused rather than misdelivered.
   */
  private relayForMessage(): CallRelay | undefined {
    const context = currentCall.getStore();
    if (context) return context.relay; // none once that call has ended: nobody left to deliver to
    return this.inflight.size === 1 ? [...this.inflight][0] : undefined;
  }

  /** Subscribes to updates of one resource, in whichever way the upstream's era offers. */
  async subscribeResource(uri: string): Promise<void> {
    const client = await this.getClient();
    if (client.getProtocolEra() === 'modern') {
      if (!this.resourceListens.has(uri)) {
        const listen = client.listen({ resourceSubscriptions: [uri] });
        this.resourceListens.set(uri, listen);
        listen.catch(() => this.resourceListens.delete(uri));
      }
      await this.resourceListens.get(uri);
      return;
    }
    if (client.getServerCapabilities()?.resources?.subscribe) await client.subscribeResource({ uri });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const client = this.client;
    this.client = null;
    await client?.close().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    const client = new Client(GATEWAY_INFO, {
      // Advertised so upstreams may ask; each request is relayed to the calling client, whose own
      // capabilities decide (an unsupported request comes back to the upstream as an error).
      capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} },
      versionNegotiation: { mode: 'auto' },
      listChanged: {
        tools: { onChanged: (error, tools) => this.handleToolsChanged(error, tools) },
        prompts: { onChanged: () => this.events.onListChanged?.(this.config, 'prompts') },
        resources: { onChanged: () => this.events.onListChanged?.(this.config, 'resources') },
      },
    });
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      this.events.onResourceUpdated?.(this.config, notification.params.uri);
    });
    for (const method of RELAYED_REQUESTS) {
      client.setRequestHandler(method, async (request) => {
        const relay = this.relayForMessage();
        if (!relay) {
          throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Gatehouse cannot tell which client this ${method} is for.`);
        }
        return (await relay.request({ method, params: request.params as Record<string, unknown> })) as never;
      });
    }
    client.setNotificationHandler('notifications/message', (notification) => {
      void this.relayForMessage()
        ?.notify({ method: 'notifications/message', params: notification.params as Record<string, unknown> })
        .catch(() => undefined);
    });
    try {
      const transport = await createUpstreamTransport(
        this.config,
        this.credentials,
        (line) => this.logger.debug({ server: this.config.name, stderr: line }, 'upstream stderr'),
        this.actingUserId,
      );
      await client.connect(transport, { timeout: Math.min(this.config.timeoutMs, 30_000) });
    } catch (error) {
      await client.close().catch(() => undefined);
      this.lastError = error instanceof Error ? error.message : String(error);
      // A process that dies while starting is retried by the supervisor with backoff; calls
      // meanwhile get the "restarting" error instead of each spawning a process of their own.
      if (this.config.transport === 'stdio') this.scheduleRestart();
      if (error instanceof GatehouseError) throw error;
      throw new GatehouseError('upstream_unavailable', `server "${this.config.name}" is unavailable: ${this.lastError}`);
    }
    client.onclose = () => this.handleClosed(client);
    this.client = client;
    this.connectedAt = Date.now();
    this.lastError = null;
    this.logger.info(
      { server: this.config.name, transport: this.config.transport, protocolVersion: client.getNegotiatedProtocolVersion() },
      'upstream connected',
    );
    return client;
  }

  private handleToolsChanged(error: Error | null, tools: Tool[] | null): void {
    if (error) {
      this.logger.warn({ server: this.config.name, err: error }, 'refreshing upstream tools failed');
      this.tools = null;
    } else if (tools) {
      this.tools = tools;
      this.toolsFetchedAt = Date.now();
    }
    this.events.onListChanged?.(this.config, 'tools');
  }

  private handleClosed(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.tools = null;
    this.resourceListens.clear();
    if (this.closed) return;
    this.lastError = 'connection closed';
    this.logger.warn({ server: this.config.name }, 'upstream connection closed');
    if (this.config.transport !== 'stdio') return; // HTTP reconnects on next use
    // A process that stayed up a minute earns a fresh backoff; one that dies at once waits longer.
    // Decided here, when a running process exits: a restart that fails must never reset it.
    if (Date.now() - this.connectedAt > 60_000) this.backoffMs = 500;
    this.scheduleRestart();
  }

  /** Starts the process again after the current backoff (which then doubles); a failed start schedules the next. */
  private scheduleRestart(): void {
    if (this.restartTimer || this.closed) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.getClient().catch((err: unknown) => {
        this.logger.warn({ server: this.config.name, err, retryInMs: Math.min(delay * 2, MAX_BACKOFF_MS) }, 'upstream restart failed');
      });
    }, delay);
    this.restartTimer.unref();
  }
}
