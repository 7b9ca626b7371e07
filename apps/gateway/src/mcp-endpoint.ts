import type { IncomingMessage, ServerResponse } from 'node:http';
import getRawBody from 'raw-body';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { classifyInboundRequest, createMcpHandler, isInitializeRequest, type McpHttpHandler } from '@modelcontextprotocol/server';
import { GatehouseError, type Logger } from '@gatehouse/core';
import type { Principal } from '@gatehouse/identity';
import { createProxyServer, type Endpoint, type PrincipalCache, type ProxyServerDeps } from '@gatehouse/proxy';
import { authenticate, bearerChallenge } from './bearer-auth';
import { sendError, sendJsonRpcError } from './http-responses';
import type { LegacySessionHost, SessionOwner } from './legacy-session-host';
import type { OAuthResource } from './oauth-resource';

type AuthorizedRequest = SessionOwner;

declare module 'node:http' {
  interface IncomingMessage {
    /** Read by the SDK's Node adapters and handed to handlers as `authInfo`. */
    auth?: { token: string; clientId: string; scopes: string[]; extra?: Record<string, unknown> };
  }
}

/**
 * `/mcp/{tenant}/{profile}`: authenticates, authorises the profile, then serves the MCP
 * conversation in whichever era the client speaks — sessionful 2025-era Streamable HTTP (a
 * per-session proxy server) or the stateless 2026-07-28 era (a proxy server per request).
 */
export class McpEndpoint {
  private readonly modern: McpHttpHandler;
  private readonly modernNode: ReturnType<typeof toNodeHandler>;

  constructor(
    private readonly deps: ProxyServerDeps,
    private readonly principals: PrincipalCache,
    private readonly legacy: LegacySessionHost,
    private readonly logger: Logger,
    private readonly maxBodyBytes: number,
    private readonly oauth: OAuthResource,
  ) {
    this.modern = createMcpHandler(
      (ctx) => {
        const auth = ctx.authInfo?.extra as { endpoint: Endpoint; principal: Principal } | undefined;
        if (!auth) throw new Error('modern MCP request reached the handler without authorization');
        return createProxyServer(this.deps, auth.endpoint, auth.principal, 'modern');
      },
      { legacy: 'reject', maxRequestBodySize: maxBodyBytes, onerror: (err) => this.logger.debug({ err }, 'modern MCP request rejected') },
    );
    this.modernNode = toNodeHandler(this.modern, { maxRequestBodySize: maxBodyBytes });
  }

  get notifier(): McpHttpHandler['notify'] {
    return this.modern.notify;
  }

  async handle(req: IncomingMessage, res: ServerResponse, tenantSlug: string, profileSlug: string): Promise<void> {
    let authorized: AuthorizedRequest;
    try {
      authorized = await this.authorize(req, tenantSlug, profileSlug);
    } catch (error) {
      if (!(error instanceof GatehouseError))
        this.logger.error({ err: error, tenant: tenantSlug, profile: profileSlug }, 'authorizing an MCP request failed');
      const challenge = error instanceof GatehouseError && error.httpStatus === 401;
      const metadataUrl = this.oauth.metadataUrl(tenantSlug, profileSlug);
      sendError(
        res,
        error,
        challenge ? { 'www-authenticate': bearerChallenge(metadataUrl, req.headers.authorization ? error : undefined) } : {},
      );
      return;
    }
    req.auth = { token: 'redacted', clientId: authorized.principal.userId, scopes: [], extra: { ...authorized } };

    let body: unknown;
    if (req.method === 'POST') {
      const parsed = await this.readJsonBody(req, res);
      if (!parsed.ok) return;
      body = parsed.body;
    }
    if (req.method === 'POST' && !isLegacyPost(req, body)) {
      await this.modernNode(req, res, body);
      return;
    }
    await this.handleLegacy(req, res, body, authorized);
  }

  private async authorize(req: IncomingMessage, tenantSlug: string, profileSlug: string): Promise<AuthorizedRequest> {
    const principal = await authenticate(req, this.principals, this.oauth, tenantSlug, profileSlug);
    // A token of another tenant learns nothing about this one: same answer as an unknown tenant.
    if (principal.tenantSlug !== tenantSlug) throw new GatehouseError('tenant_not_found', `Unknown tenant "${tenantSlug}".`);
    const endpoint = await this.deps.registry.resolve(tenantSlug, profileSlug);
    if (!principal.profiles.includes(profileSlug)) {
      throw new GatehouseError('forbidden', `You do not have access to profile "${profileSlug}" of tenant "${tenantSlug}".`, {
        profiles: principal.profiles,
      });
    }
    return { principal, endpoint, endpointKey: `${tenantSlug}/${profileSlug}` };
  }

  private async readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<{ ok: true; body: unknown } | { ok: false }> {
    let raw: string;
    try {
      raw = await getRawBody(req, { limit: this.maxBodyBytes, encoding: 'utf8' });
    } catch (error) {
      const tooLarge = (error as { type?: string }).type === 'entity.too.large';
      if (tooLarge) sendJsonRpcError(res, 413, -32600, `Request body exceeds the limit of ${this.maxBodyBytes} bytes.`);
      else sendJsonRpcError(res, 400, -32700, 'Could not read the request body.');
      return { ok: false };
    }
    try {
      return { ok: true, body: JSON.parse(raw) };
    } catch {
      sendJsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.');
      return { ok: false };
    }
  }

  private async handleLegacy(req: IncomingMessage, res: ServerResponse, body: unknown, auth: AuthorizedRequest): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = await this.legacy.find(sessionId, auth);
      if (!session) {
        sendJsonRpcError(res, 404, -32001, 'Session not found: it expired or belongs to someone else. Initialize a new session.');
        return;
      }
      await this.legacy.serve(session, req, res, body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      sendJsonRpcError(res, 400, -32600, 'Bad request: send "initialize" first, or include the Mcp-Session-Id header.');
      return;
    }
    await this.legacy.open(auth, req, res, body);
  }
}

/**
 * The SDK's own era classification (what `isLegacyRequest` runs), fed from the already-parsed
 * body and the Node headers: building a web `Request` just to classify cost a measurable share
 * of every call (see bench/).
 */
function isLegacyPost(req: IncomingMessage, body: unknown): boolean {
  if (body === undefined) return true;
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: header('mcp-protocol-version'),
    mcpMethodHeader: header('mcp-method'),
    mcpNameHeader: header('mcp-name'),
    body,
  });
  return outcome.kind === 'legacy';
}
