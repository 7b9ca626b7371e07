import { createSign, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ASSERTION = "//*[local-name(.)='Assertion']";

export interface AssertionOptions {
  acsUrl: string;
  audience: string;
  inResponseTo?: string | null;
  email: string;
  displayName?: string;
  groups?: string[];
  /** Defaults: valid from a minute ago for five minutes. */
  notBefore?: Date;
  notOnOrAfter?: Date;
  destination?: string;
  recipient?: string;
  /** Sign the assertion with this IdP's key (default), with another key, or not at all. */
  signWith?: 'self' | 'none' | TestIdp;
  assertionId?: string;
  sessionIndex?: string;
}

export interface LogoutRequestOptions {
  /** The SP's single logout URL; the request is addressed to it unless `destination` says otherwise. */
  sloUrl: string;
  nameId: string;
  sessionIndex?: string;
  destination?: string;
  relayState?: string;
  /** Sign the query with this IdP's key (default), with another key, or not at all. */
  signWith?: 'self' | 'none' | TestIdp;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const iso = (d: Date) => d.toISOString();

/**
 * A small SAML 2.0 identity provider for tests, signing with a key pair generated for the run
 * (selfsigned for the certificate, xml-crypto for XML signatures, both maintained libraries). It
 * builds real signed Responses, and the broken ones an attacker or a misconfigured IdP would send.
 */
export class TestIdp {
  readonly ssoUrl = 'https://idp.test/sso';
  readonly sloUrl = 'https://idp.test/slo';

  private constructor(
    readonly entityId: string,
    readonly certificate: string,
    private readonly privateKey: string,
  ) {}

  static async create(entityId = `https://idp.test/${randomBytes(4).toString('hex')}`): Promise<TestIdp> {
    const pems = await generate([{ name: 'commonName', value: 'Gatehouse test IdP' }], { keySize: 2048, days: 2, algorithm: 'sha256' });
    return new TestIdp(entityId, pems.cert, pems.private);
  }

  metadataXml(): string {
    const der = this.certificate.replace(/-----[A-Z ]+-----|\s/g, '');
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${esc(this.entityId)}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.sloUrl}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** The AuthnRequest ID inside an SP's redirect to this IdP (HTTP-Redirect binding: deflated, base64). */
  static requestIdFrom(redirect: string): string {
    const request = new URL(redirect).searchParams.get('SAMLRequest');
    if (!request) throw new Error(`no SAMLRequest in ${redirect}`);
    const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
    const id = / ID="([^"]+)"/.exec(xml)?.[1];
    if (!id) throw new Error('AuthnRequest without ID');
    return id;
  }

  /** A signed SAML Response as the IdP would POST it (base64 XML). */
  response(options: AssertionOptions): string {
    return Buffer.from(this.responseXml(options)).toString('base64');
  }

  responseXml(options: AssertionOptions): string {
    const now = new Date();
    const notBefore = options.notBefore ?? new Date(now.getTime() - 60_000);
    const notOnOrAfter = options.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
    const inResponseTo = options.inResponseTo ? ` InResponseTo="${esc(options.inResponseTo)}"` : '';
    const assertionId = options.assertionId ?? `_a${randomBytes(16).toString('hex')}`;
    const attribute = (name: string, values: string[]) =>
      values.length ? `<saml:Attribute Name="${esc(name)}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>` : '';
    const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${esc(this.entityId)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(options.email)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${esc(options.recipient ?? options.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${esc(options.sessionIndex ?? `_s${randomBytes(8).toString('hex')}`)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attribute('email', [options.email])}${attribute('displayName', options.displayName ? [options.displayName] : [])}${attribute('groups', options.groups ?? [])}</saml:AttributeStatement></saml:Assertion>`;
    const signer = options.signWith === undefined || options.signWith === 'self' ? this : options.signWith === 'none' ? null : options.signWith;
    const signedAssertion = signer ? signer.sign(assertion) : assertion;
    return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(now)}" Destination="${esc(options.destination ?? options.acsUrl)}"${inResponseTo}><saml:Issuer>${esc(this.entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${signedAssertion}</samlp:Response>`;
  }

  /**
   * An IdP-initiated LogoutRequest as the browser brings it to the SP (HTTP-Redirect binding):
   * deflated, base64, and signed over the query string as SAML bindings §3.4.4.1 prescribe.
   */
  logoutRequestUrl(options: LogoutRequestOptions): { url: string; requestId: string } {
    const requestId = `_l${randomBytes(16).toString('hex')}`;
    const sessionIndex = options.sessionIndex ? `<samlp:SessionIndex>${esc(options.sessionIndex)}</samlp:SessionIndex>` : '';
    const xml = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${requestId}" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${esc(options.destination ?? options.sloUrl)}"><saml:Issuer>${esc(this.entityId)}</saml:Issuer><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(options.nameId)}</saml:NameID>${sessionIndex}</samlp:LogoutRequest>`;
    const params = [`SAMLRequest=${encodeURIComponent(deflateRawSync(xml).toString('base64'))}`];
    if (options.relayState) params.push(`RelayState=${encodeURIComponent(options.relayState)}`);
    const signer = options.signWith === undefined || options.signWith === 'self' ? this : options.signWith === 'none' ? null : options.signWith;
    if (signer) {
      params.push(`SigAlg=${encodeURIComponent(RSA_SHA256)}`);
      params.push(`Signature=${encodeURIComponent(createSign('RSA-SHA256').update(params.join('&')).sign(signer.privateKey, 'base64'))}`);
    }
    return { url: `${options.sloUrl}?${params.join('&')}`, requestId };
  }

  private sign(assertionXml: string): string {
    const signature = new SignedXml({ privateKey: this.privateKey, publicCert: this.certificate, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
    signature.addReference({
      xpath: ASSERTION,
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N],
    });
    signature.computeSignature(assertionXml, { location: { reference: `${ASSERTION}/*[local-name(.)='Issuer']`, action: 'after' } });
    return signature.getSignedXml();
  }
}
