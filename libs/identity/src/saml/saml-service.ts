import { recordAdminChange } from '@gatehouse/audit';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { SAML, ValidateInResponseTo, type Profile, type SamlConfig } from '@node-saml/passport-saml';
import { GatehouseError } from '@gatehouse/core';
import { Tenant } from '@gatehouse/tenancy';
import { RedisSamlCacheProvider } from './redis-cache-provider';
import { assertionFacts, logoutRequestDestination, responseDestination } from './saml-assertion-checks';
import { SsoSettings } from './sso-settings.entity';
import { provisionSsoUser, type ProvisionedUser } from './sso-provisioning';

export interface SamlServiceOptions {
  /** Public base URL of the API: SP entity ids and ACS URLs are built from it. */
  apiPublicUrl: () => string;
  clockSkewMs?: number;
  requestTtlMs?: number;
}

export interface IdpLogout {
  tenantId: string;
  nameId: string;
  sessionIndex: string | null;
  responseUrl: string | null;
}

export interface SamlLogin {
  user: ProvisionedUser;
  returnTo: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string | null;
}

/**
 * SAML 2.0 service provider, one per tenant, on node-saml (re-exported by
 * @node-saml/passport-saml): SP-initiated login, ACS, SP metadata and single logout. On top of
 * node-saml's checks (signature on the assertion, audience, time window with a small skew,
 * InResponseTo against requests it issued) it checks Destination and Recipient, and accepts each
 * assertion once (replay cache in Redis).
 */
export class SamlService {
  constructor(
    private readonly db: DataSource,
    private readonly redis: Redis,
    private readonly options: SamlServiceOptions,
  ) {}

  spEntityId(tenantSlug: string): string {
    return `${this.options.apiPublicUrl()}/api/auth/saml/${tenantSlug}/metadata`;
  }

  acsUrl(tenantSlug: string): string {
    return `${this.options.apiPublicUrl()}/api/auth/saml/${tenantSlug}/acs`;
  }

  async loginUrl(tenantSlug: string, returnTo: string | undefined): Promise<string> {
    const { saml } = await this.forTenant(tenantSlug);
    return saml.getAuthorizeUrlAsync(safeReturnTo(returnTo), undefined, {});
  }

  async metadata(tenantSlug: string): Promise<string> {
    const { saml } = await this.forTenant(tenantSlug);
    return saml.generateServiceProviderMetadata(null, null);
  }

  /** Validates a POSTed SAMLResponse and provisions the user it names. Throws `sso_rejected` on anything wrong. */
  async acs(tenantSlug: string, body: Record<string, unknown>): Promise<SamlLogin> {
    const { tenant } = await this.forTenant(tenantSlug);
    try {
      const login = await this.acceptResponse(tenantSlug, body);
      await recordAdminChange(this.db.manager, {
        tenantId: tenant.id,
        actor: login.user.email,
        action: 'auth.sign_in',
        targetType: 'user',
        targetId: login.user.userId,
        before: null,
        after: { method: 'saml', groups: login.user.groups },
      });
      return login;
    } catch (error) {
      // Refused sign-ins are security events too: the audit stream (and the SIEM) sees them.
      if (error instanceof GatehouseError && error.code === 'sso_rejected') {
        await recordAdminChange(this.db.manager, {
          tenantId: tenant.id,
          actor: 'unknown',
          action: 'auth.sign_in_rejected',
          targetType: 'user',
          targetId: null,
          before: null,
          after: { method: 'saml', reason: error.message },
        }).catch(() => undefined);
      }
      throw error;
    }
  }

  private async acceptResponse(tenantSlug: string, body: Record<string, unknown>): Promise<SamlLogin> {
    const { saml, settings, tenant } = await this.forTenant(tenantSlug);
    const samlResponse = typeof body.SAMLResponse === 'string' ? body.SAMLResponse : '';
    if (!samlResponse) throw rejected('the request carries no SAMLResponse');
    let profile: Profile | null;
    try {
      ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (error) {
      throw rejected((error as Error).message);
    }
    if (!profile) throw rejected('the response carries no assertion');

    const acs = this.acsUrl(tenantSlug);
    const destination = responseDestination(profile.getSamlResponseXml?.() ?? '');
    if (destination !== acs) throw rejected(`Destination "${destination ?? '(none)'}" is not this service provider's ACS URL`);
    const facts = assertionFacts(profile.getAssertionXml?.() ?? '');
    if (facts.recipients.length === 0 || facts.recipients.some((r) => r !== acs)) {
      throw rejected(`Recipient "${facts.recipients.join(', ') || '(none)'}" is not this service provider's ACS URL`);
    }
    if (!facts.assertionId) throw rejected('the assertion has no ID');
    await this.acceptOnce(tenant.id, facts.assertionId, facts.notOnOrAfter);

    const user = await provisionSsoUser(this.db, tenant.id, profile, settings);
    return {
      user,
      returnTo: safeReturnTo(typeof body.RelayState === 'string' ? body.RelayState : undefined),
      nameId: profile.nameID,
      nameIdFormat: profile.nameIDFormat,
      sessionIndex: profile.sessionIndex ?? null,
    };
  }

  /** Where to send the browser to end the IdP session too (SP-initiated SLO), or null without SLO. */
  async logoutUrl(
    tenantSlug: string,
    login: { nameId: string; nameIdFormat: string; sessionIndex: string | null },
    returnTo: string,
  ): Promise<string | null> {
    const { saml, settings } = await this.forTenant(tenantSlug);
    if (!settings.logoutUrl) return null;
    const profile = {
      issuer: settings.idpEntityId,
      nameID: login.nameId,
      nameIDFormat: login.nameIdFormat,
      sessionIndex: login.sessionIndex ?? undefined,
    };
    return saml.getLogoutUrlAsync(profile, safeReturnTo(returnTo), {});
  }

  /**
   * An IdP-initiated LogoutRequest (HTTP-Redirect binding). node-saml checks issuer, time window
   * and, when present, the query signature; Gatehouse also requires the signature (an unsigned
   * request would let anyone end anyone's sessions) and a Destination naming this tenant's SLO URL.
   * Returns whose sessions to end and the signed-off LogoutResponse URL to send the browser to.
   */
  async idpLogout(tenantSlug: string, query: Record<string, unknown>, rawQuery: string): Promise<IdpLogout> {
    const { saml, settings, tenant } = await this.forTenant(tenantSlug);
    const fields = Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'));
    if (!fields.SAMLRequest) throw rejected('the request carries no SAMLRequest');
    if (!fields.Signature || !fields.SigAlg) throw rejected('the LogoutRequest is not signed');
    let profile: Profile | null;
    try {
      ({ profile } = await saml.validateRedirectAsync(fields, rawQuery));
    } catch (error) {
      throw rejected((error as Error).message);
    }
    if (!profile?.nameID) throw rejected('the LogoutRequest names no user');
    const destination = logoutRequestDestination(fields.SAMLRequest);
    if (destination !== this.sloUrl(tenantSlug))
      throw rejected(`Destination "${destination ?? '(none)'}" is not this service provider's logout URL`);
    return {
      tenantId: tenant.id,
      nameId: profile.nameID,
      sessionIndex: profile.sessionIndex ?? null,
      // Without an IdP logout URL there is nowhere to send the LogoutResponse; the caller shows a page.
      responseUrl: settings.logoutUrl ? await saml.getLogoutResponseUrlAsync(profile, fields.RelayState ?? '', {}, true) : null,
    };
  }

  sloUrl(tenantSlug: string): string {
    return `${this.options.apiPublicUrl()}/api/auth/saml/${tenantSlug}/slo`;
  }

  private async acceptOnce(tenantId: string, assertionId: string, notOnOrAfter: Date | null): Promise<void> {
    const skew = this.options.clockSkewMs ?? 30_000;
    const ttl = Math.max((notOnOrAfter?.getTime() ?? Date.now() + 10 * 60_000) - Date.now() + skew, 60_000);
    const first = await this.redis.set(`gatehouse:saml:assertion:${tenantId}:${assertionId}`, '1', 'PX', ttl, 'NX');
    if (first !== 'OK') throw rejected('this assertion was already used (replay)');
  }

  private async forTenant(slug: string): Promise<{ saml: SAML; settings: SsoSettings; tenant: Tenant }> {
    const tenant = await this.db.getRepository(Tenant).findOne({ where: { slug } });
    if (!tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${slug}".`);
    const settings = await this.db.getRepository(SsoSettings).findOne({ where: { tenantId: tenant.id } });
    if (!settings) throw new GatehouseError('not_found', `Single sign-on is not configured for tenant "${slug}".`);
    const requestTtlMs = this.options.requestTtlMs ?? 10 * 60_000;
    const config: SamlConfig = {
      callbackUrl: this.acsUrl(slug),
      entryPoint: settings.entryPoint,
      issuer: this.spEntityId(slug),
      audience: this.spEntityId(slug),
      idpCert: settings.idpCertificates,
      idpIssuer: settings.idpEntityId,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: this.options.clockSkewMs ?? 30_000,
      validateInResponseTo: settings.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: requestTtlMs,
      cacheProvider: new RedisSamlCacheProvider(this.redis, `gatehouse:saml:request:${tenant.id}:`, requestTtlMs),
      identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      disableRequestedAuthnContext: true,
      logoutUrl: settings.logoutUrl ?? undefined,
      logoutCallbackUrl: this.sloUrl(slug),
    };
    return { saml: new SAML(config), settings, tenant };
  }
}

/** Only a path on this site: never an absolute or protocol-relative URL (no open redirect). */
export function safeReturnTo(returnTo: string | undefined): string {
  if (!returnTo || !returnTo.startsWith('/') || returnTo.startsWith('//') || returnTo.includes('\\') || /[\r\n]/.test(returnTo)) return '/';
  return returnTo;
}

function rejected(reason: string): GatehouseError {
  return new GatehouseError('sso_rejected', `Single sign-on failed: ${reason}.`);
}
