/** An OAuth error response (RFC 6749 §5.2): `error` code plus description, HTTP 400 or 401. */
export class OAuthProtocolError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_target' | 'invalid_client_metadata' | 'invalid_redirect_uri' | 'access_denied' | 'server_error',
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
    this.name = 'OAuthProtocolError';
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export function invalidGrant(message: string): OAuthProtocolError {
  return new OAuthProtocolError('invalid_grant', message);
}
