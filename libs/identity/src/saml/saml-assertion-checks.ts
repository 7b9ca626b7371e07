import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

export interface AssertionFacts {
  assertionId: string | null;
  notOnOrAfter: Date | null;
  recipients: string[];
}

const parse = (xml: string) => new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');

/** The `Destination` the IdP addressed the Response to (outside the signed assertion). */
export function responseDestination(responseXml: string): string | null {
  return parse(responseXml).getElementsByTagNameNS(SAMLP, 'Response')[0]?.getAttribute('Destination') ?? null;
}

/** The `Destination` of a LogoutRequest in HTTP-Redirect encoding (deflated, base64). */
export function logoutRequestDestination(samlRequest: string): string | null {
  let xml: string;
  try {
    xml = inflateRawSync(Buffer.from(samlRequest, 'base64'), { maxOutputLength: 1 << 20 }).toString('utf8');
  } catch {
    return null;
  }
  return parse(xml).getElementsByTagNameNS(SAMLP, 'LogoutRequest')[0]?.getAttribute('Destination') ?? null;
}

/**
 * What node-saml leaves to the caller, read from the assertion it has verified the signature of:
 * its ID (for the replay cache), how long it is valid, and the `Recipient` of its bearer
 * subject confirmations.
 */
export function assertionFacts(signedAssertionXml: string): AssertionFacts {
  const assertion = parse(signedAssertionXml).getElementsByTagNameNS(SAML, 'Assertion')[0];
  const confirmations = assertion ? Array.from(assertion.getElementsByTagNameNS(SAML, 'SubjectConfirmationData')) : [];
  const limits = [
    ...confirmations.map((c) => c.getAttribute('NotOnOrAfter')),
    assertion?.getElementsByTagNameNS(SAML, 'Conditions')[0]?.getAttribute('NotOnOrAfter') ?? null,
  ].filter((v): v is string => !!v);
  const earliest = limits.map((v) => new Date(v)).filter((d) => !Number.isNaN(d.getTime())).sort((a, b) => a.getTime() - b.getTime())[0];
  return {
    assertionId: assertion?.getAttribute('ID') ?? null,
    notOnOrAfter: earliest ?? null,
    recipients: confirmations.map((c) => c.getAttribute('Recipient')).filter((v): v is string => !!v),
  };
}
