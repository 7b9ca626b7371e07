import { randomBytes } from 'node:crypto';
import { OAuthClientMetadataSchema } from '@modelcontextprotocol/core';
import type { DataSource } from 'typeorm';
import { OAuthClient } from './oauth-client.entity';
import { OAuthProtocolError } from './oauth-errors';

/** A client as the authorize and token steps need it, however it was registered. */
export interface KnownClient {
  clientId: string;
  clientName: string | null;
  redirectUris: string[];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'blob:', 'vbscript:', 'about:']);
const METADATA_DOCUMENT_MAX_BYTES = 64 * 1024;
const METADATA_DOCUMENT_TTL_MS = 5 * 60_000;

/**
 * Redirect URIs an MCP client may register (OAuth 2.1 §2.3 / RFC 8252): https anywhere, http only
 * on a loopback host (desktop clients listen on 127.0.0.1), or a private-use scheme (`cursor://`,
 * `vscode://`). Never a fragment, never a script or data URI.
 */
export function checkRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new OAuthProtocolError('invalid_redirect_uri', `"${uri}" is not an absolute URI.`);
  }
  if (url.hash) throw new OAuthProtocolError('invalid_redirect_uri', `"${uri}" must not contain a fragment.`);
  if (FORBIDDEN_SCHEMES.has(url.protocol)) throw new OAuthProtocolError('invalid_redirect_uri', `"${uri}" uses a forbidden scheme.`);
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new OAuthProtocolError('invalid_redirect_uri', `"${uri}": plain http is only allowed for a loopback address.`);
  }
}

/**
 * Registered MCP clients of a tenant: dynamic client registration (RFC 7591) and Client ID
 * Metadata Documents (a client_id that is an https URL serving the client's metadata).
 */
export class OAuthClients {
  private readonly documents = new Map<string, { client: KnownClient; until: number }>();

  constructor(
    private readonly db: DataSource,
    /** Allows http:// client metadata document URLs on loopback hosts (tests, local dev). */
    private readonly allowLoopbackMetadataDocuments = false,
  ) {}

  async register(tenantId: string, body: unknown): Promise<Record<string, unknown>> {
    const parsed = OAuthClientMetadataSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new OAuthProtocolError('invalid_client_metadata', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const metadata = parsed.data;
    if (metadata.redirect_uris.length === 0) throw new OAuthProtocolError('invalid_redirect_uri', 'At least one redirect_uri is required.');
    metadata.redirect_uris.forEach(checkRedirectUri);
    const method = metadata.token_endpoint_auth_method ?? 'none';
    if (method !== 'none') {
      throw new OAuthProtocolError('invalid_client_metadata', `token_endpoint_auth_method "${method}" is not supported: MCP clients are public clients; use "none" with PKCE.`);
    }
    const grants = metadata.grant_types ?? ['authorization_code', 'refresh_token'];
    const unsupported = grants.filter((g) => g !== 'authorization_code' && g !== 'refresh_token');
    if (unsupported.length > 0) throw new OAuthProtocolError('invalid_client_metadata', `Unsupported grant_types: ${unsupported.join(', ')}.`);
    if (metadata.response_types && metadata.response_types.some((r) => r !== 'code')) {
      throw new OAuthProtocolError('invalid_client_metadata', 'Only response_type "code" is supported.');
    }
    const clientId = `mcp_${randomBytes(16).toString('base64url')}`;
    const record = await this.db.getRepository(OAuthClient).save({
      tenantId,
      clientId,
      clientName: metadata.client_name ?? null,
      redirectUris: metadata.redirect_uris,
      metadata: { ...metadata, token_endpoint_auth_method: 'none', grant_types: grants, response_types: ['code'] },
    });
    return { ...record.metadata, client_id: clientId, client_id_issued_at: Math.floor(record.createdAt.getTime() / 1000) };
  }

  /** The client behind a client_id: registered with this tenant, or a metadata document URL. */
  async find(tenantId: string, clientId: string): Promise<KnownClient | null> {
    if (isMetadataDocumentUrl(clientId)) return this.fromMetadataDocument(clientId);
    const row = await this.db.getRepository(OAuthClient).findOne({ where: { tenantId, clientId } });
    return row ? { clientId: row.clientId, clientName: row.clientName, redirectUris: row.redirectUris } : null;
  }

  private async fromMetadataDocument(url: string): Promise<KnownClient> {
    const cached = this.documents.get(url);
    if (cached && cached.until > Date.now()) return cached.client;
    const parsedUrl = new URL(url);
    const loopbackHttp = parsedUrl.protocol === 'http:' && LOOPBACK_HOSTS.has(parsedUrl.hostname);
    if (parsedUrl.protocol !== 'https:' && !(loopbackHttp && this.allowLoopbackMetadataDocuments)) {
      throw new OAuthProtocolError('invalid_client', 'A client ID metadata document must be served over https.');
    }
    let document: unknown;
    try {
      const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
      const text = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (text.length > METADATA_DOCUMENT_MAX_BYTES) throw new Error('document too large');
      document = JSON.parse(text);
    } catch (error) {
      throw new OAuthProtocolError('invalid_client', `Could not load the client ID metadata document at ${url}: ${(error as Error).message}.`);
    }
    const parsed = OAuthClientMetadataSchema.safeParse(document);
    if (!parsed.success || (document as { client_id?: unknown }).client_id !== url) {
      throw new OAuthProtocolError('invalid_client', 'The client ID metadata document is invalid or its client_id does not match its URL.');
    }
    parsed.data.redirect_uris.forEach(checkRedirectUri);
    const client = { clientId: url, clientName: parsed.data.client_name ?? null, redirectUris: parsed.data.redirect_uris };
    this.documents.set(url, { client, until: Date.now() + METADATA_DOCUMENT_TTL_MS });
    return client;
  }
}

function isMetadataDocumentUrl(clientId: string): boolean {
  return clientId.startsWith('https://') || clientId.startsWith('http://');
}
