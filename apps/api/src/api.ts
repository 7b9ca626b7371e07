import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { createLogger, queuePrefix } from '@gatehouse/core';
import { ApprovalQueues, ApprovalService, ApprovalStore } from '@gatehouse/approvals';
import { ApprovalsModule } from './approvals/approvals.module';
import { SecretsModule } from './secrets/secrets.module';
import { ConnectionsModule } from './connections/connections.module';
import { UserConnections } from './connections/user-connections';
import { announceSecretChange, LocalMasterKeys, Vault } from '@gatehouse/vault';
import { createDataSource } from '@gatehouse/database';
import { Redis } from 'ioredis';
import { BrowserSessions, SamlService, type AuthorizationServerOptions } from '@gatehouse/identity';
import { SessionCookie } from './auth/session-cookie';
import { SharedModule } from './shared.module';
import { SsoModule } from './sso/sso.module';
import { OAuthModule } from './oauth/oauth.module';
import { RootModule } from './root.module';
import { routeInventory, type RouteInfo } from './auth/route-inventory';
import type { BrowserSessionReader } from './oauth/browser-session';
import type { ApiConfig } from './api-config';
import { ApiModule } from './api.module';
import { AdminModule } from './admin/admin.module';
import { UpstreamStatusRedis } from './admin/upstream-status-redis';
import { ServerEditPolicy } from './admin/server-edit-policy';
import { publishConfigChange } from '@gatehouse/proxy';
import { GatehouseExceptionFilter } from './gatehouse-exception.filter';

export interface RunningApi {
  url: string;
  /** Every route with its access policy (what the RBAC and isolation tests walk). */
  routes(): RouteInfo[];
  close(): Promise<void>;
}

export async function startApi(config: ApiConfig): Promise<RunningApi> {
  const logger = createLogger('api', config.LOG_LEVEL);
  const db = createDataSource({ url: config.DATABASE_URL, poolSize: 10, applicationName: 'gatehouse-api' });
  await db.initialize();
  const vault = new Vault(db, LocalMasterKeys.fromEnv(config));
  await vault.verifyKeys().catch(async (error: unknown) => {
    await db.destroy();
    throw error;
  });
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
  await redis.connect();
  const oauthOptions: AuthorizationServerOptions = {
    apiPublicUrl: config.API_PUBLIC_URL ?? '', // set below once the listening port is known
    gatewayPublicUrl: config.GATEWAY_PUBLIC_URL,
    accessTokenTtlSeconds: Math.round(config.OAUTH_ACCESS_TOKEN_TTL / 1000),
    refreshTokenTtlMs: config.OAUTH_REFRESH_TOKEN_TTL,
    allowLoopbackMetadataDocuments: config.OAUTH_ALLOW_LOOPBACK_CLIENT_METADATA,
  };
  let publicUrl = config.API_PUBLIC_URL ?? ''; // known once listening when not configured
  const saml = new SamlService(db, redis, { apiPublicUrl: () => publicUrl });
  const cookie = new SessionCookie(
    new BrowserSessions(redis, db, { idleMs: config.API_SESSION_IDLE, absoluteMs: config.API_SESSION_MAX }),
    () => config.API_COOKIE_SECURE ?? publicUrl.startsWith('https:'),
  );
  const sessions: BrowserSessionReader = {
    principal: async (req, tenantSlug) => {
      const current = await cookie.current(req);
      return current?.principal.tenantSlug === tenantSlug ? current.principal : null;
    },
  };
  // Producer-only BullMQ connection: an approve never hangs on a Redis outage (the gateways' reconciler queues it later).
  const queueConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  queueConnection.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error (approval queues)'));
  const approvalQueues = new ApprovalQueues({ connection: queueConnection, prefix: queuePrefix(config) });
  const approvals = new ApprovalService(db, new ApprovalStore(db), approvalQueues, queueConnection);
  const app = await NestFactory.create(
    RootModule.compose([
      SharedModule.register({ db, saml, cookie }),
      ApiModule.register(),
      SsoModule.register(),
      ApprovalsModule.register(approvals),
      SecretsModule.register(vault, { announce: (tenantId) => announceSecretChange(redis, tenantId) }),
      AdminModule.register(
        {
          announce: (tenantId, reason) =>
            publishConfigChange(redis, { tenantId, reason }).then(
              () => true,
              (error: unknown) => {
                logger.warn({ err: error, tenantId, reason }, 'could not announce a config change; gateway caches expire on their own');
                return false;
              },
            ),
        },
        new UpstreamStatusRedis(redis),
        new ServerEditPolicy(config.API_ALLOW_STDIO_FROM_CONSOLE),
      ),
      ConnectionsModule.register(new UserConnections(db, redis, vault, () => publicUrl)),
      OAuthModule.register({ db, redis, options: oauthOptions, sessions }),
    ]),
    { logger: false },
  );
  app.useGlobalFilters(new GatehouseExceptionFilter());
  app.enableShutdownHooks();
  await app.listen(config.API_PORT, config.API_HOST);
  const address = app.getHttpServer().address() as AddressInfo;
  const url = config.API_PUBLIC_URL ?? `http://${config.API_HOST}:${address.port}`;
  oauthOptions.apiPublicUrl = url;
  publicUrl = url;
  logger.info({ url }, 'api listening');
  return {
    url,
    routes: () => routeInventory(app),
    async close() {
      await app.close();
      await approvalQueues.close();
      queueConnection.disconnect();
      redis.disconnect();
      await db.destroy();
    },
  };
}
