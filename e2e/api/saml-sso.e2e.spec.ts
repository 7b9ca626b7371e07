import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { applyYaml, issueToken, openTestDatabase, uniqueSlug } from '../support/test-gateway';
import { TestIdp } from '../support/test-idp';
import { TestBrowser, postToAcs, spUrls, ssoSignIn } from '../support/test-browser';

const yaml = (slug: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: kb, transport: http, url: "http://127.0.0.1:9/mcp" }]
    profiles: [{ slug: coding, tools: [] }, { slug: support, tools: [] }]
    groups:
      - { idpGroup: engineering, role: member, profiles: [coding] }
      - { idpGroup: support-agents, role: member, profiles: [support] }
      - { idpGroup: security, role: admin, profiles: [coding] }
    users: [{ email: admin@${slug}.test, groups: [security] }]
`;

const apiConfig = (extra: Record<string, string> = {}) =>
  loadApiConfig({ DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl'), API_PORT: '0', LOG_LEVEL: 'silent', ...extra });

describe('SAML single sign-on per tenant', () => {
  let db: DataSource;
  let api: RunningApi;
  let idp: TestIdp;
  let globexIdp: TestIdp;
  let attacker: TestIdp;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const admins: Record<string, string> = {};

  const me = (browser: TestBrowser) => browser.fetch(`${api.url}/api/me`);
  const putSso = (tenant: string, body: unknown) =>
    fetch(`${api.url}/api/tenants/${tenant}/sso`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admins[tenant]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    db = await openTestDatabase();
    [idp, globexIdp, attacker] = await Promise.all([TestIdp.create(), TestIdp.create(), TestIdp.create()]);
    await applyYaml(db, yaml(acme));
    await applyYaml(db, yaml(globex));
    admins[acme] = await issueToken(db, acme, `admin@${acme}.test`);
    admins[globex] = await issueToken(db, globex, `admin@${globex}.test`);
    api = await startApi(apiConfig());
    expect((await putSso(acme, { metadataXml: idp.metadataXml() })).status).toBe(200);
    expect((await putSso(globex, { metadataXml: globexIdp.metadataXml() })).status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
    await db?.destroy();
  });

  it('serves SP metadata naming the tenant’s entity id and ACS URL', async () => {
    const response = await fetch(`${api.url}/api/auth/saml/${acme}/metadata`);
    expect(response.status).toBe(200);
    const xml = await response.text();
    expect(xml).toContain(`entityID="${api.url}/api/auth/saml/${acme}/metadata"`);
    expect(xml).toContain(`Location="${api.url}/api/auth/saml/${acme}/acs"`);
  });

  it('signs a user in SP-initiated, provisions them just in time with the role and profiles of their IdP groups', async () => {
    const browser = new TestBrowser();
    const acs = await ssoSignIn(
      browser,
      api.url,
      acme,
      idp,
      { email: 'Dana@Acme.test', displayName: 'Dana', groups: ['engineering', 'unknown-group'] },
      '/traces?tool=x',
    );
    expect(acs.status).toBe(303);
    expect(acs.headers.get('location')).toBe('/traces?tool=x');
    const cookie = acs.headers.getSetCookie().find((c) => c.startsWith('gatehouse_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const who = await (await me(browser)).json();
    expect(who).toMatchObject({ user: { email: 'dana@acme.test' }, tenant: { slug: acme }, role: 'member', profiles: ['coding'] });
    expect(who.csrfToken).toEqual(expect.any(String));
    // The sign-in is in the tenant's audit log (and so in its audit stream).
    const audit = await fetch(`${api.url}/api/tenants/${acme}/audit`, { headers: { authorization: `Bearer ${admins[acme]}` } });
    const entries = (await audit.json()).items as Array<{ action: string; actor: string; after: { method: string } }>;
    expect(entries.find((e) => e.action === 'auth.sign_in' && e.actor === 'dana@acme.test')).toMatchObject({ after: { method: 'saml' } });
  });

  it('replaces group memberships at every login: a group removed in the IdP takes its profile with it', async () => {
    const first = new TestBrowser();
    await ssoSignIn(first, api.url, acme, idp, { email: 'eli@acme.test', groups: ['engineering', 'support-agents'] });
    expect((await (await me(first)).json()).profiles).toEqual(['coding', 'support']);
    const second = new TestBrowser();
    await ssoSignIn(second, api.url, acme, idp, { email: 'eli@acme.test', groups: ['support-agents'] });
    expect((await (await me(second)).json()).profiles).toEqual(['support']);
    // The older session reads the user's access as it is now, too.
    expect((await (await me(first)).json()).profiles).toEqual(['support']);
  });

  describe('refuses, with a clear error and no session,', () => {
    async function expectRefused(response: Response, reason: RegExp) {
      expect(response.status).toBe(401);
      expect(response.headers.getSetCookie().some((c) => c.startsWith('gatehouse_session='))).toBe(false);
      expect(await response.text()).toMatch(reason);
    }
    async function startLogin(browser: TestBrowser, tenant = acme) {
      const toIdp = await browser.fetch(`${api.url}/api/auth/saml/${tenant}/login`);
      return TestIdp.requestIdFrom(toIdp.headers.get('location') as string);
    }

    it('a response signed with another key', async () => {
      const browser = new TestBrowser();
      const requestId = await startLogin(browser);
      const forged = idp.response({
        ...spUrls(api.url, acme),
        inResponseTo: requestId,
        email: 'mallory@acme.test',
        groups: ['security'],
        signWith: attacker,
      });
      await expectRefused(await postToAcs(browser, api.url, acme, forged), /signature/i);
      const audit = await fetch(`${api.url}/api/tenants/${acme}/audit`, { headers: { authorization: `Bearer ${admins[acme]}` } });
      const refused = ((await audit.json()).items as Array<{ action: string; after: { reason: string } }>).filter(
        (e) => e.action === 'auth.sign_in_rejected',
      );
      expect(refused.some((e) => /signature/i.test(e.after.reason))).toBe(true);
    });

    it('an unsigned assertion', async () => {
      const browser = new TestBrowser();
      const requestId = await startLogin(browser);
      const unsigned = idp.response({ ...spUrls(api.url, acme), inResponseTo: requestId, email: 'mallory@acme.test', signWith: 'none' });
      await expectRefused(await postToAcs(browser, api.url, acme, unsigned), /signature/i);
    });

    it('a signature-wrapping attack (an unsigned assertion beside a validly signed one)', async () => {
      const browser = new TestBrowser();
      const requestId = await startLogin(browser);
      const genuine = idp.responseXml({ ...spUrls(api.url, acme), inResponseTo: requestId, email: 'intern@acme.test', groups: [] });
      const evil = idp
        .responseXml({
          ...spUrls(api.url, acme),
          inResponseTo: requestId,
          email: 'mallory@acme.test',
          groups: ['security'],
          signWith: 'none',
        })
        .match(/<saml:Assertion[\s\S]*<\/saml:Assertion>/)?.[0] as string;
      // The forged assertion goes first and carries a copy of the genuine signature.
      const signature = genuine.match(/<(ds:)?Signature[\s\S]*<\/(ds:)?Signature>/)?.[0] as string;
      const evilWithSignature = evil.replace('</saml:Issuer>', `</saml:Issuer>${signature}`);
      const wrapped = genuine.replace('<saml:Assertion', `${evilWithSignature}<saml:Assertion`);
      await expectRefused(await postToAcs(browser, api.url, acme, Buffer.from(wrapped).toString('base64')), /Single sign-on failed/);
      const also = genuine.replace(/(<saml:Assertion[\s\S]*<\/saml:Assertion>)/, `${evil}<samlp:Extensions>$1</samlp:Extensions>`);
      await expectRefused(await postToAcs(browser, api.url, acme, Buffer.from(also).toString('base64')), /Single sign-on failed/);
    });

    it('a wrong audience', async () => {
      const browser = new TestBrowser();
      const requestId = await startLogin(browser);
      const response = idp.response({
        ...spUrls(api.url, acme),
        audience: 'https://some-other-sp.example',
        inResponseTo: requestId,
        email: 'dana@acme.test',
      });
      await expectRefused(await postToAcs(browser, api.url, acme, response), /audience/i);
    });

    it('an expired assertion (beyond the clock skew)', async () => {
      const browser = new TestBrowser();
      const requestId = await startLogin(browser);
      const past = Date.now() - 10 * 60_000;
      const response = idp.response({
        ...spUrls(api.url, acme),
        inResponseTo: requestId,
        email: 'dana@acme.test',
        notBefore: new Date(past - 60_000),
        notOnOrAfter: new Date(past),
      });
      await expectRefused(await postToAcs(browser, api.url, acme, response), /expired|NotOnOrAfter|subject confirmation/i);
    });

    it('a wrong Recipient or Destination', async () => {
      const browser = new TestBrowser();
      const r1 = idp.response({
        ...spUrls(api.url, acme),
        recipient: 'https://evil.example/acs',
        inResponseTo: await startLogin(browser),
        email: 'dana@acme.test',
      });
      await expectRefused(await postToAcs(browser, api.url, acme, r1), /Recipient/);
      const r2 = idp.response({
        ...spUrls(api.url, acme),
        destination: 'https://evil.example/acs',
        inResponseTo: await startLogin(browser),
        email: 'dana@acme.test',
      });
      await expectRefused(await postToAcs(browser, api.url, acme, r2), /Destination/);
    });

    it('a replayed assertion', async () => {
      const browser = new TestBrowser();
      const requestId = await startLogin(browser);
      const response = idp.response({
        ...spUrls(api.url, acme),
        inResponseTo: requestId,
        email: 'dana@acme.test',
        groups: ['engineering'],
      });
      expect((await postToAcs(browser, api.url, acme, response)).status).toBe(303);
      await expectRefused(await postToAcs(new TestBrowser(), api.url, acme, response), /InResponseTo|already used/);
    });

    it('an unsolicited (IdP-initiated) response while that is off, and accepts it once switched on', async () => {
      const unsolicited = () =>
        idp.response({ ...spUrls(api.url, acme), inResponseTo: null, email: 'dana@acme.test', groups: ['engineering'] });
      await expectRefused(await postToAcs(new TestBrowser(), api.url, acme, unsolicited()), /InResponseTo/);
      expect((await putSso(acme, { metadataXml: idp.metadataXml(), allowIdpInitiated: true })).status).toBe(200);
      try {
        const browser = new TestBrowser();
        expect((await postToAcs(browser, api.url, acme, unsolicited())).status).toBe(303);
        expect((await me(browser)).status).toBe(200);
      } finally {
        await putSso(acme, { metadataXml: idp.metadataXml(), allowIdpInitiated: false });
      }
    });

    it("a response meant for another tenant's service provider", async () => {
      // Globex's own IdP, signing for globex's SP, posted to acme's ACS; and acme's IdP aimed at globex.
      const browser = new TestBrowser();
      const forGlobex = globexIdp.response({
        ...spUrls(api.url, globex),
        inResponseTo: await startLogin(browser),
        email: 'spy@globex.test',
        groups: ['security'],
      });
      await expectRefused(await postToAcs(browser, api.url, acme, forGlobex), /Single sign-on failed/);
      const acmeIdpAtGlobex = idp.response({
        ...spUrls(api.url, globex),
        inResponseTo: await startLogin(browser, globex),
        email: 'dana@acme.test',
        groups: ['security'],
      });
      await expectRefused(await postToAcs(browser, api.url, globex, acmeIdpAtGlobex), /signature/i);
    });
  });

  it('never redirects off-site after login', async () => {
    const browser = new TestBrowser();
    const acs = await ssoSignIn(
      browser,
      api.url,
      acme,
      idp,
      { email: 'dana@acme.test', groups: ['engineering'] },
      'https://evil.example/steal',
    );
    expect(acs.headers.get('location')).toBe('/');
  });

  it('requires the CSRF token for state changes by cookie, and logout really ends the session', async () => {
    const browser = new TestBrowser();
    await ssoSignIn(browser, api.url, acme, idp, { email: 'dana@acme.test', groups: ['engineering'] });
    const { csrfToken } = await (await me(browser)).json();
    const stolenCookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    expect((await browser.fetch(`${api.url}/api/auth/logout`, { method: 'POST' })).status).toBe(403);
    expect((await browser.fetch(`${api.url}/api/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': 'wrong' } })).status).toBe(403);
    const out = await browser.fetch(`${api.url}/api/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': csrfToken } });
    expect(out.status).toBe(200);
    expect((await out.json()).idpLogoutUrl).toMatch(new RegExp(`^${idp.sloUrl}\\?SAMLRequest=`));
    // The old cookie, replayed by anyone, is dead.
    expect((await fetch(`${api.url}/api/me`, { headers: { cookie: stolenCookie } })).status).toBe(401);
  });

  it('ends the sessions an IdP-initiated LogoutRequest names, and answers the IdP with a LogoutResponse', async () => {
    const sloUrl = `${api.url}/api/auth/saml/${acme}/slo`;
    const [laptop, phone, colleague] = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
    await ssoSignIn(laptop, api.url, acme, idp, { email: 'fay@acme.test', groups: ['engineering'], sessionIndex: '_fay-laptop' });
    await ssoSignIn(phone, api.url, acme, idp, { email: 'fay@acme.test', groups: ['engineering'], sessionIndex: '_fay-phone' });
    await ssoSignIn(colleague, api.url, acme, idp, { email: 'gus@acme.test', groups: ['engineering'] });

    // One IdP session (SessionIndex): only the phone's Gatehouse session ends.
    const one = idp.logoutRequestUrl({ sloUrl, nameId: 'fay@acme.test', sessionIndex: '_fay-phone', relayState: 'idp-state' });
    const answer = await phone.fetch(one.url);
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(idp.sloUrl);
    expect(location.searchParams.get('RelayState')).toBe('idp-state');
    const logoutResponse = inflateRawSync(Buffer.from(location.searchParams.get('SAMLResponse') as string, 'base64')).toString('utf8');
    expect(logoutResponse).toContain(`InResponseTo="${one.requestId}"`);
    expect(logoutResponse).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect((await me(phone)).status).toBe(401);
    expect((await me(laptop)).status).toBe(200);

    // No SessionIndex: every session of that user ends, nobody else's.
    expect((await fetch(idp.logoutRequestUrl({ sloUrl, nameId: 'fay@acme.test' }).url, { redirect: 'manual' })).status).toBe(302);
    expect((await me(laptop)).status).toBe(401);
    expect((await me(colleague)).status).toBe(200);
  });

  it('refuses unsigned, forged, tampered and misaddressed LogoutRequests, and ends nothing', async () => {
    const browser = new TestBrowser();
    await ssoSignIn(browser, api.url, acme, idp, { email: 'hal@acme.test', groups: ['engineering'] });
    const sloUrl = `${api.url}/api/auth/saml/${acme}/slo`;
    const valid = idp.logoutRequestUrl({ sloUrl, nameId: 'hal@acme.test', relayState: 'a' }).url;
    const attempts = {
      unsigned: idp.logoutRequestUrl({ sloUrl, nameId: 'hal@acme.test', signWith: 'none' }).url,
      'signed by another key': idp.logoutRequestUrl({ sloUrl, nameId: 'hal@acme.test', signWith: attacker }).url,
      'tampered after signing': valid.replace('RelayState=a', 'RelayState=b'),
      'addressed to another SP': idp.logoutRequestUrl({
        sloUrl,
        nameId: 'hal@acme.test',
        destination: `${api.url}/api/auth/saml/${globex}/slo`,
      }).url,
      "sent to another tenant's SP": idp.logoutRequestUrl({ sloUrl: `${api.url}/api/auth/saml/${globex}/slo`, nameId: 'hal@acme.test' })
        .url,
    };
    for (const [label, url] of Object.entries(attempts)) {
      const answer = await fetch(url, { redirect: 'manual' });
      expect(answer.status, label).toBe(401);
      expect(await answer.text(), label).toMatch(/refused/);
      expect((await me(browser)).status, label).toBe(200);
    }
  });

  it('ends a session after the idle timeout', async () => {
    const shortIdle = await startApi(apiConfig({ API_SESSION_IDLE: '1s' }));
    try {
      const browser = new TestBrowser();
      await ssoSignIn(browser, shortIdle.url, acme, idp, { email: 'dana@acme.test', groups: ['engineering'] });
      // The IdP settings name the main API's URLs; this instance has its own, so the SP differs:
      // sign in through it with its own SP URLs (ssoSignIn does), then wait past the idle limit.
      expect((await browser.fetch(`${shortIdle.url}/api/me`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1300));
      expect((await browser.fetch(`${shortIdle.url}/api/me`)).status).toBe(401);
    } finally {
      await shortIdle.close();
    }
  });
});
