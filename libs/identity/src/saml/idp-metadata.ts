import { DOMParser } from '@xmldom/xmldom';
import { GatehouseError } from '@gatehouse/core';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface IdpMetadata {
  idpEntityId: string;
  entryPoint: string;
  idpCertificates: string[];
  logoutUrl: string | null;
}

/** Reads what Gatehouse needs from an IdP's SAML metadata XML (Okta, Entra ID and others publish one). */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(xml, 'text/xml');
  const descriptor = doc.getElementsByTagNameNS(MD, 'EntityDescriptor')[0];
  const idp = doc.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (errors.length > 0 || !descriptor || !idp) {
    throw new GatehouseError('validation_failed', `The IdP metadata is not a SAML EntityDescriptor with an IDPSSODescriptor${errors[0] ? ` (${errors[0]})` : ''}.`);
  }
  const redirectLocation = (tag: string) =>
    Array.from(idp.getElementsByTagNameNS(MD, tag)).find((e) => e.getAttribute('Binding') === REDIRECT)?.getAttribute('Location') ?? null;
  const entryPoint = redirectLocation('SingleSignOnService');
  if (!entryPoint) throw new GatehouseError('validation_failed', 'The IdP metadata has no SingleSignOnService with the HTTP-Redirect binding.');
  const certificates = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => toPem(c.textContent ?? ''));
  if (certificates.length === 0) throw new GatehouseError('validation_failed', 'The IdP metadata has no signing certificate.');
  return { idpEntityId: descriptor.getAttribute('entityID') ?? '', entryPoint, idpCertificates: [...new Set(certificates)], logoutUrl: redirectLocation('SingleLogoutService') };
}

/** A certificate as PEM, from PEM or bare base64 DER. */
export function toPem(certificate: string): string {
  const body = certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new GatehouseError('validation_failed', 'A certificate must be PEM or base64 DER.');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----`;
}
