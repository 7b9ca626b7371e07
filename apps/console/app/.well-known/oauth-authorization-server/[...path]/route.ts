import { forwardToApi } from '../../../../src/api-forwarder';

/**
 * RFC 8414 metadata of a tenant's OAuth authorization server. Its issuer is
 * `{API_PUBLIC_URL}/api/oauth/{tenant}`, and a client looks the metadata up at
 * `/.well-known/oauth-authorization-server/api/oauth/{tenant}` on the issuer's origin. When the
 * console is the public origin of the API (API_PUBLIC_URL = the console's URL, so SAML stays
 * same-origin), that lookup lands here and must reach the API like /api/* does, or MCP clients
 * could not find where to get a token.
 */
export const dynamic = 'force-dynamic';

export { forwardToApi as GET };
