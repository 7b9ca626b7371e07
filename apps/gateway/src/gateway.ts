import { loadRuleset, Scanner } from '@gatehouse/scanner';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { hostHeaderValidation, originValidation } from '@modelcontextprotocol/node';
import { createRequestStateCodec } from '@modelcontextprotocol/server';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createLogger, queuePrefix, type Logger } from '@gatehouse/core';
import { ApprovalQueues, ApprovalStore, publishResolved, subscribeApprovalOutcomes } from '@gatehouse/approvals';
import { ApprovalWorkers } from './approval-workers';
import { RetentionSweeper } from './retention-sweeper';
import { createDataSource } from '@gatehouse/database';
import { TraceWriter, type TraceRecord } from '@gatehouse/audit';
import { UpstreamPool, UpstreamTokens, noVault, resolveSecretReferences, type SecretLookup } from '@gatehouse/upstream';
import { OutboxDispatcher } from '@gatehouse/telemetry';
import {
  ApprovalHolds,
  EndpointRegistry,
  HeldCallTasks,
  RateLimiter,
  type HeldCallState,
  Passthrough,
  type ProxyServerDeps,
  PrincipalCache,
  ToolCatalog,
  subscribeConfigChanges,
  subscriptionsOf,
} from '@gatehouse/proxy';
import type { GatewayConfig } from './gateway-config';
import { UpstreamStatusReporter } from './upstream-status-reporter';
import { checkDependencies } from './dependency-health';
import { GatewayMetrics } from './gateway-metrics';
import { LegacySessionStore } from './legacy-sessions';
import { LegacySessionHost } from './legacy-session-host';
import { Replica } from './replica';
import { SessionBus } from './session-bus';
import { SessionDirectory } from './session-directory';
import { McpEndpoint } from './mcp-endpoint';
import { OAuthResource, protectedResourceMetadataPath } from './oauth-resource';
import { sendError, sendJson } from './http-responses';
import { GatehouseError } from '@gatehouse/core';
import { announceSecretChange, LocalMasterKeys, SecretRedactor, subscribeSecretChanges, Vault, VaultSecretLookup } from '@gatehouse/vault';
import { loadServiceSecret, OAuthTokenVerifier, SigningKeys, type Principal } from '@gatehouse/identity';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * DNS-rebinding protection: a browser page on an attacker's domain must not reach a gateway on
 * a developer's machine. Host and Origin must name an allowed host.
 */
function hostGuards(config: GatewayConfig): (req: IncomingMessage, res: ServerResponse) => boolean {
  const allowed = config.GATEWAY_ALLOWED_HOSTS ?? (LOOPBACK.has(config.GATEWAY_HOST) ? ['localhost', '127.0.0.1', '[::1]'] : null);
  if (!allowed) return () => true;
  const host = hostHeaderValidation(allowed);
  const origin = originValidation(allowed);
  return (req, res) => host(req, res) && origin(req, res);
}

const MCP_PATH = /^\/mcp\/([a-z0-9][a-z0-9-]{0,62})\/([a-z0-9][a-z0-9_-]{0,62})\/?$/;

export interface RunningGateway {
  url: string;
  traces: TraceWriter;
  pool: UpstreamPool;
  /** Runs one payload-retention sweep now (it also runs on its own timer). */
  sweepRetention(): Promise<{ traces: number; approvals: number }>;
  close(): Promise<void>;
}

/**
 * The gateway's composition root: wires Postgres, Redis, the upstream pool, the trace pipeline
 * and the MCP endpoint behind one `node:http` server. No framework in the per-call loop.
 */
export async function startGateway(
  config: GatewayConfig,
  options: { logger?: Logger; secrets?: SecretLookup } = {},
): Promise<RunningGateway> {
  // Secret values the gateway resolves are blanked from its logs, traces and approval results.
  const redactor = new SecretRedactor();
  const logger = options.logger ?? createLogger('gateway', config.LOG_LEVEL, (value) => redactor.redact(value));
  const masterKeys = LocalMasterKeys.fromEnv(config);
  const db: DataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 10, applicationName: 'gatehouse-gateway' });
  await db.initialize();
  const vault = new Vault(db, masterKeys);
  await vault.verifyKeys().catch(async (error: unknown) => {
    await db.destroy();
    throw error;
  });
  const secretLookup = vault.enabled ? new VaultSecretLookup(vault, redactor, config.GATEWAY_SECRET_CACHE_MS) : null;
  const subscriber = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: null });
  subscriber.on('error', (error: Error) => logger.debug({ err: error }, 'redis subscriber error'));
  await subscriber.connect();

  const traces = new TraceWriter(db, logger.child({ component: 'traces' }), {
    spoolDir: config.TRACE_SPOOL_DIR,
    flushIntervalMs: config.TRACE_FLUSH_MS,
  });
  await traces.start();
  const metrics = new GatewayMetrics(
    () => traces.getStats(),
    () => checkDependencies(db, tokenRedis, subscriber),
  );
  const sessions = new LegacySessionStore(config.GATEWAY_SESSION_IDLE_MS, (n) => metrics.legacySessions.set(n));

  let onToolsChanged: (serverId: string) => void = () => undefined;
  // Upstream OAuth tokens are shared by all gateways through Redis (sealed with the tenant's data key).
  const tokenRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  tokenRedis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error (upstream tokens)'));
  const lookup = options.secrets ?? secretLookup?.lookup ?? noVault;
  const tokens = vault.enabled
    ? new UpstreamTokens(
        tokenRedis,
        {
          lookup,
          current: (tenantId, name) => vault.reveal(tenantId, name),
          remember: (tenantId, name, value) => redactor.remember(tenantId, name, value),
          replace: async (tenantId, name, value) => {
            await vault.put(tenantId, name, value, 'gateway:oauth-refresh-rotation');
            secretLookup?.forget(tenantId);
            await announceSecretChange(tokenRedis, tenantId).catch(() => undefined);
          },
          seal: (tenantId, label, value) => vault.seal(tenantId, label, value),
          open: (tenantId, label, sealed) => vault.open(tenantId, label, sealed),
        },
        logger.child({ component: 'upstream-oauth' }),
        {
          connectUrl: async (tenantId, serverName) => {
            const [tenant] = (await db.query(`SELECT slug FROM tenants WHERE id = $1`, [tenantId])) as Array<{ slug: string }>;
            return `${config.API_PUBLIC_URL ?? ''}/api/tenants/${tenant?.slug ?? tenantId}/connections/${serverName}/connect`;
          },
        },
      )
    : undefined;
  const credentials = { secrets: lookup, tokens };
  const pool = new UpstreamPool(
    credentials,
    logger.child({ component: 'upstream' }),
    {
      onListChanged: (server, kind) => {
        if (kind === 'tools') onToolsChanged(server.id);
      },
      onResourceUpdated: (_server, uri) => {
        for (const session of sessions.all()) {
          if (subscriptionsOf(session.server).has(uri)) void session.server.sendResourceUpdated({ uri }).catch(() => undefined);
        }
      },
    },
    config.GATEWAY_TOOLS_REFRESH_MS,
  );
  const registry = new EndpointRegistry(
    db,
    new ToolCatalog(db, pool, logger.child({ component: 'catalog' })),
    60_000,
    config.GATEWAY_TOOLS_REFRESH_MS,
  );
  const principals = new PrincipalCache(db);
  let publicUrl = config.GATEWAY_PUBLIC_URL?.replace(/\/+$/, '') ?? '';
  const oauth = new OAuthResource(() => publicUrl, config.API_PUBLIC_URL, new OAuthTokenVerifier(new SigningKeys(db)));
  // Producer connection fails fast (the reconciler covers a Redis outage); workers block, so theirs never gives up.
  const queueConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const workerConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  for (const connection of [queueConnection, workerConnection]) {
    connection.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error (approvals)'));
  }
  const approvalStore = new ApprovalStore(db);
  const approvalQueues = new ApprovalQueues({ connection: queueConnection, prefix: queuePrefix(config) });
  const holds = new ApprovalHolds(approvalStore, approvalQueues, logger.child({ component: 'approvals' }), {
    progressIntervalMs: config.GATEWAY_APPROVAL_PROGRESS_MS,
    pollIntervalMs: config.GATEWAY_APPROVAL_POLL_MS,
  });
  // Loaded once at start: a broken rules file stops the gateway with the rule and the reason.
  const scanner = new Scanner(loadRuleset(config.GATEHOUSE_SCANNER_RULES));
  const approvalWorkers = new ApprovalWorkers({
    scanner,
    store: approvalStore,
    queues: approvalQueues,
    registry,
    pool,
    publisher: queueConnection,
    workerConnection,
    prefix: queuePrefix(config),
    logger: logger.child({ component: 'approval-worker' }),
    resultCapBytes: config.TRACE_RESULT_CAP_BYTES,
    redact: (value, tenantId) => redactor.redact(value, tenantId),
    resolveSecrets: (tenantId, values) => resolveSecretReferences(tenantId, values, lookup),
    reconcileMs: config.GATEWAY_APPROVAL_RECONCILE_MS,
    executionLimitMs: config.GATEWAY_APPROVAL_EXECUTION_LIMIT_MS,
    apiPublicUrl: config.API_PUBLIC_URL,
  });
  approvalWorkers.start();
  const telemetry = new OutboxDispatcher(db, tokenRedis, logger.child({ component: 'telemetry' }), {
    intervalMs: config.GATEWAY_EXPORT_INTERVAL_MS,
    batchSize: config.GATEWAY_EXPORT_BATCH,
    resolveHeaders: (tenantId, headers) => resolveSecretReferences(tenantId, headers, lookup),
  });
  telemetry.start();
  const retention = new RetentionSweeper(db, approvalStore, logger.child({ component: 'retention' }), config.GATEWAY_RETENTION_SWEEP_MS);
  retention.start();
  const recordTrace = (raw: TraceRecord) => {
    const trace = redactor.redact(raw, raw.tenantId);
    traces.record(trace);
    metrics.observeCall(trace);
  };
  const proxyDeps: ProxyServerDeps = {
    registry,
    pool,
    recordTrace,
    approvals: holds,
    redact: (value, tenantId) => redactor.redact(value, tenantId),
    limiter: new RateLimiter(tokenRedis, logger.child({ component: 'limits' })),
    scanner,
    tasks: new HeldCallTasks(approvalStore, holds, (approvalId) => publishResolved(queueConnection, approvalId)),
    approvalRoundMs: config.GATEWAY_APPROVAL_ROUND_MS,
    requestState: createRequestStateCodec<HeldCallState>({
      key: await loadServiceSecret(db, 'mcp-request-state'),
      // A round's state is echoed within seconds; the approval row, not this, bounds the wait.
      ttlSeconds: 15 * 60,
      bind: (ctx) =>
        `${ctx.mcpReq.method}\0${(ctx.http?.authInfo?.extra as { principal?: Principal } | undefined)?.principal?.userId ?? ''}`,
    }),
    passthrough: new Passthrough(pool, logger),
    pageSize: config.GATEWAY_PAGE_SIZE,
    resultCapBytes: config.TRACE_RESULT_CAP_BYTES,
    ssePollAfterMs: config.GATEWAY_SSE_POLL_AFTER_MS,
  };
  // 2025-era sessions are recorded in Redis so that every replica serves every session.
  const replica = new Replica(tokenRedis);
  await replica.start();
  const sessionBus = new SessionBus(tokenRedis, replica.id);
  const legacy = new LegacySessionHost({
    proxy: proxyDeps,
    store: sessions,
    directory: new SessionDirectory(tokenRedis, config.GATEWAY_SESSION_IDLE_MS),
    bus: sessionBus,
    replica,
    redis: tokenRedis,
    events: {
      maxEvents: config.GATEWAY_SESSION_STREAM_EVENTS,
      answeredRetentionMs: config.GATEWAY_SESSION_EVENT_RETENTION_MS,
      runningRetentionMs: config.GATEWAY_SESSION_IDLE_MS,
      resumeWaitMs: 10_000,
    },
    retryMs: config.GATEWAY_SSE_RETRY_MS,
    maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
    logger: logger.child({ component: 'sessions' }),
  });
  await sessionBus.subscribe(subscriber, (message) => legacy.deliver(message));
  const endpoint = new McpEndpoint(proxyDeps, principals, legacy, logger, config.GATEWAY_MAX_BODY_BYTES, oauth);

  onToolsChanged = (serverId) => {
    void registry.loaded().then((endpoints) => {
      for (const ep of endpoints.filter((e) => e.usesServer(serverId))) {
        ep.invalidateTools();
        const key = `${ep.snapshot.tenantSlug}/${ep.snapshot.profileSlug}`;
        for (const session of sessions.forEndpoint(key)) void session.server.sendToolListChanged().catch(() => undefined);
      }
      endpoint.notifier.toolsChanged();
    });
  };
  await subscribeConfigChanges(subscriber, (change) => {
    logger.info({ change }, 'configuration changed; invalidating caches');
    const tenantId = change.tenantId === '*' ? null : change.tenantId;
    registry.invalidateTenant(tenantId);
    principals.invalidateTenant(tenantId);
    // A profile may have gained, lost or renamed tools: clients re-list. Every replica tells the
    // sessions it holds; the one holding a session's GET stream is the one that delivers.
    for (const session of sessions.forTenant(tenantId)) void session.server.sendToolListChanged().catch(() => undefined);
    endpoint.notifier.toolsChanged();
  });

  await subscribeSecretChanges(subscriber, (tenantId) => secretLookup?.forget(tenantId));
  await subscribeApprovalOutcomes(subscriber, (approvalId) => holds.wake(approvalId));
  const upstreamStatus = new UpstreamStatusReporter(
    { replica: replica.id, db, redis: tokenRedis, subscriber, pool, credentials, logger: logger.child({ component: 'upstream-status' }) },
    config.GATEWAY_STATUS_REPORT_MS,
  );
  await upstreamStatus.start();

  const guardHosts = hostGuards(config);
  const server: HttpServer = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const mcp = MCP_PATH.exec(path);
    if (mcp) {
      if (!guardHosts(req, res)) return; // the guards answered 403
      endpoint.handle(req, res, mcp[1] as string, mcp[2] as string).catch((error: unknown) => {
        logger.error({ err: error }, 'unhandled MCP request error');
        sendError(res, error);
      });
      return;
    }
    const resource = protectedResourceMetadataPath(req, path);
    if (resource) {
      // Public by design (RFC 9728): a client reads it before it has a token. CORS for browser-based clients.
      return sendJson(res, 200, oauth.metadata(...resource), { 'access-control-allow-origin': '*', 'cache-control': 'max-age=300' });
    }
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      // Ready while it listens: an outage of Postgres or Redis (shared by every replica, and served
      // through) is reported as "degraded", not as a reason to take every replica out at once.
      checkDependencies(db, tokenRedis, subscriber)
        .then((health) =>
          sendJson(res, 200, {
            status: health.postgres === 'up' && health.redis === 'up' ? 'ready' : 'degraded',
            dependencies: { postgres: health.postgres, redis: health.redis },
            ...(Object.keys(health.reasons).length ? { reasons: health.reasons } : {}),
            sessions: sessions.size,
            upstreams: pool.status(),
          }),
        )
        .catch((error: unknown) => sendError(res, error));
      return;
    }
    if (path === '/metrics') {
      metrics.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        })
        .catch((error: unknown) => sendError(res, error));
      return;
    }
    sendError(res, new GatehouseError('not_found', `No route for ${req.method} ${path}. MCP endpoints live at /mcp/{tenant}/{profile}.`));
  });
  await new Promise<void>((resolve) => server.listen(config.GATEWAY_PORT, config.GATEWAY_HOST, resolve));
  const address = server.address() as AddressInfo;
  const url = config.GATEWAY_PUBLIC_URL?.replace(/\/+$/, '') ?? `http://${config.GATEWAY_HOST}:${address.port}`;
  publicUrl = url;
  logger.info({ url }, 'gateway listening');

  return {
    url,
    traces,
    pool,
    sweepRetention: () => retention.sweep(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sessions.closeAll();
      await replica.stop();
      upstreamStatus.stop();
      retention.stop();
      await telemetry.stop();
      await approvalWorkers.close();
      await approvalQueues.close();
      await pool.close();
      await traces.close();
      subscriber.disconnect();
      queueConnection.disconnect();
      workerConnection.disconnect();
      tokenRedis.disconnect();
      await db.destroy();
    },
  };
}
