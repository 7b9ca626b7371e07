import type { OAuthClientProvider } from '@modelcontextprotocol/client';

type Stored<T extends keyof OAuthClientProvider> = OAuthClientProvider[T] extends (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * An in-memory OAuth client provider for the SDK's `Client`, as a desktop MCP client would keep
 * its registration, tokens and PKCE verifier; the authorization URL is captured for the test's
 * "browser" instead of opening one.
 */
export class InMemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | null = null;
  private info: Stored<'clientInformation'>;
  private stored: Stored<'tokens'>;
  private verifier = '';
  private discovery: Stored<'discoveryState'>;

  constructor(readonly redirectUrl: string, private readonly name = 'Gatehouse e2e MCP client') {}

  get clientMetadata() {
    return { client_name: this.name, redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }

  clientInformation() {
    return this.info;
  }

  saveClientInformation(info: NonNullable<Stored<'clientInformation'>>) {
    this.info = info;
  }

  tokens() {
    return this.stored;
  }

  saveTokens(tokens: NonNullable<Stored<'tokens'>>) {
    this.stored = tokens;
  }

  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }

  codeVerifier() {
    return this.verifier;
  }

  /** Lets the SDK check, on the callback leg, that the code came from the server it discovered. */
  saveDiscoveryState(state: NonNullable<Stored<'discoveryState'>>) {
    this.discovery = state;
  }

  discoveryState() {
    return this.discovery;
  }
}
