import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Browser, Page } from 'playwright-core';
import type { Client } from '@modelcontextprotocol/client';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { applyYaml, connectClient, flushTraces, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { startControllableUpstream } from '../support/controllable-upstream';
import { parseCsv } from '../support/csv';
import { TestIdp } from '../support/test-idp';
import {
  freePort,
  idpContext,
  launchChromium,
  SCREENSHOTS,
  signInThroughConsole,
  startConsole,
  type IdpUser,
  type RunningConsole,
} from '../support/console-browser';

const yaml = (slug: string, codehost: string, web: string, idpMetadata: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers:
      - { name: codehost, transport: http, url: "${codehost}" }
      - { name: web, transport: http, url: "${web}" }
    profiles:
      - slug: coding
        tools:
          - { server: codehost, tool: list_repositories }
          - { server: codehost, tool: delete_repository }
          - { server: web, tool: fetch_page }
    groups:
      - { idpGroup: devs, role: member, profiles: [coding] }
      - { idpGroup: leads, role: approver, profiles: [coding] }
      - { idpGroup: admins, role: admin, profiles: [coding] }
    users:
      - { email: dev@${slug}.test, groups: [devs] }
    approvals: { timeout: 10m, approvers: approver }
    scanning: { mode: flag }
    sso: { metadataXml: ${JSON.stringify(idpMetadata)} }
`;

describe('console: SSO, overview, approvals inbox and trace search in a real browser', () => {
  const tenant = uniqueSlug('console');
  let db: DataSource;
  let codehost: DemoHttpServer;
  let web: Awaited<ReturnType<typeof startControllableUpstream>>;
  let gateway: RunningGateway;
  let api: RunningApi;
  let consoleApp: RunningConsole;
  let browser: Browser;
  let idp: TestIdp;
  let devClient: Client;
  const users: Record<'admin' | 'lead' | 'member', IdpUser> = {
    admin: { email: `ada@${tenant}.test`, displayName: 'Ada Admin', groups: ['admins'] },
    lead: { email: `lee@${tenant}.test`, displayName: 'Lee Lead', groups: ['leads'] },
    member: { email: `max@${tenant}.test`, displayName: 'Max Member', groups: ['devs'] },
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await openTestDatabase();
    [codehost, web, idp] = await Promise.all([startDemoHttpServer('codehost'), startControllableUpstream(), TestIdp.create()]);
    await applyYaml(db, yaml(tenant, codehost.url, web.url, idp.metadataXml()));
    // The console and the API share one origin for the browser: SAML URLs are the console's.
    const [consolePort, apiPort] = [await freePort(), await freePort()];
    const consoleUrl = `http://127.0.0.1:${consolePort}`;
    api = await startApi(
      loadApiConfig({
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: inject('redisUrl'),
        API_PORT: String(apiPort),
        LOG_LEVEL: 'silent',
        API_PUBLIC_URL: consoleUrl,
      }),
    );
    gateway = await startTestGateway({
      GATEWAY_APPROVAL_PROGRESS_MS: '500',
      GATEWAY_APPROVAL_POLL_MS: '1000',
      GATEWAY_APPROVAL_RECONCILE_MS: '500',
    });
    [consoleApp, browser] = await Promise.all([startConsole(`http://127.0.0.1:${apiPort}`, consolePort), launchChromium()]);
    devClient = await connectClient(gateway.url, tenant, 'coding', await issueToken(db, tenant, `dev@${tenant}.test`));
  }, 120_000);

  afterAll(async () => {
    await devClient?.close();
    await browser?.close();
    await consoleApp?.close();
    await gateway?.close();
    await api?.close();
    await web?.close();
    await codehost?.close();
    await db?.destroy();
  });

  async function signedIn(who: keyof typeof users, path = '/'): Promise<Page> {
    const context = await idpContext(browser, idp, consoleApp.url, tenant, users[who]);
    const page = await context.newPage();
    await signInThroughConsole(page, consoleApp.url, tenant, path);
    return page;
  }
  // From the top: the shell's header and navigation are fixed, and would be drawn where the page was scrolled to.
  const shot = async (page: Page, name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  it('signs an admin in through the SAML IdP and shows the navigation of the role, with the admin audit log', async () => {
    const context = await idpContext(browser, idp, consoleApp.url, tenant, users.admin);
    const page = await context.newPage();
    await page.goto(`${consoleApp.url}/traces?tool=x`);
    await page.waitForURL(/\/signin\?returnTo=%2Ftraces%3Ftool%3Dx/);
    await page.getByLabel('Tenant').fill(tenant);
    await shot(page, 'signin');
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    // Back where the user started, signed in by the API's httpOnly cookie (not readable by scripts).
    await page.waitForURL(`${consoleApp.url}/traces?tool=x`);
    await expect.poll(() => page.getByTestId('who').textContent()).toBe(users.admin.email);
    expect(await page.evaluate(() => document.cookie)).not.toContain('gatehouse_session');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of [/Approvals/, /Traces/, /Admin: audit log/]) expect(await nav.getByRole('link', { name }).count()).toBe(1);

    await nav.getByRole('link', { name: /Admin: audit log/ }).click();
    await page.getByRole('heading', { name: 'Admin audit log' }).waitFor();
    // The admin's own sign-in is in the log.
    await page.getByTestId('audit-table').getByText(users.admin.email).first().waitFor();
    await shot(page, 'admin-audit-log');
    await context.close();
  }, 60_000);

  it('never shows a member admin or approver links, and answers an admin URL with a 403 page', async () => {
    const page = await signedIn('member');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: /Traces/ }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: /Admin/ }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: /Approvals/ }).count()).toBe(0);

    await page.goto(`${consoleApp.url}/admin/audit`);
    const forbidden = page.getByTestId('forbidden');
    await forbidden.waitFor();
    expect(await forbidden.getByRole('heading').textContent()).toContain('403');
    expect(await forbidden.textContent()).toContain('needs the admin role');
    expect(await page.getByTestId('audit-table').count()).toBe(0);
    await shot(page, 'forbidden-admin-page');
    await page.context().close();
  }, 60_000);

  it('finds a tool call made with the SDK client in trace search, pages through results, and shows its detail', async () => {
    for (const owner of ['platform', 'payments', 'growth']) await devClient.callTool({ name: 'list_repositories', arguments: { owner } });
    await flushTraces(gateway);

    const page = await signedIn('lead', '/traces');
    await page.getByLabel('User').fill(`dev@${tenant}.test`);
    await page.getByLabel('Tool').fill('list_repositories');
    await page.getByLabel('Text in arguments').fill('payments');
    await page.getByLabel('Time range').selectOption('24h');
    await page.getByRole('button', { name: 'Search' }).click();
    // The search is the URL: shareable, and what the table shows.
    await page.waitForURL(/q=payments/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({
      user: `dev@${tenant}.test`,
      tool: 'list_repositories',
      since: '24h',
      q: 'payments',
    });
    const rows = page.getByTestId('traces-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('e2e-legacy');
    await shot(page, 'trace-search');

    // The export holds what the search finds, every page of it, as a file.
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(csvDownload.suggestedFilename()).toMatch(new RegExp(`^traces-${tenant}-.+\\.csv$`));
    const [header, ...csvRows] = parseCsv(readFileSync(await csvDownload.path(), 'utf8'));
    expect(csvRows).toHaveLength(1);
    const cell = (name: string) => csvRows[0]?.[(header as string[]).indexOf(name)];
    expect(cell('arguments')).toBe('{"owner":"payments"}');
    expect(cell('user_email')).toBe(`dev@${tenant}.test`);
    expect(cell('id')).toBe(await rows.first().getAttribute('data-trace-id'));
    const [jsonlDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export JSON lines' }).click(),
    ]);
    const lines = readFileSync(await jsonlDownload.path(), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).arguments)).toEqual([{ owner: 'payments' }]);

    await rows
      .first()
      .getByRole('link', { name: /Details/ })
      .click();
    const detail = page.getByTestId('trace-detail');
    await detail.waitFor();
    expect(JSON.parse((await page.getByTestId('trace-arguments').textContent()) ?? '')).toEqual({ owner: 'payments' });
    expect(await page.getByTestId('trace-result').textContent()).toContain('repositories');
    expect(await page.getByTestId('trace-latency').textContent()).toMatch(/^\d+\.\d ms$/);
    expect(await detail.textContent()).toContain('not needed');
    expect(new URL(page.url()).searchParams.get('trace')).toMatch(/^[0-9a-f-]{36}$/);
    await detail.getByText('Raw JSON').click();
    expect(JSON.parse((await page.getByTestId('trace-raw').textContent()) ?? '').exposedTool).toBe('list_repositories');
    await shot(page, 'trace-detail');

    // Cursor pagination: one row per page, the next page is older and different.
    await page.goto(`${consoleApp.url}/traces?tool=list_repositories&limit=1`);
    await expect.poll(() => rows.count()).toBe(1);
    const first = await rows.first().getAttribute('data-trace-id');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await expect.poll(() => rows.first().getAttribute('data-trace-id')).not.toBe(first);

    // A shared link opens its trace even when the search around it no longer lists it.
    const shared = new URL(page.url()).searchParams.get('cursor') ? first : null;
    await page.goto(`${consoleApp.url}/traces?tool=no_such_tool&trace=${shared}`);
    await page.getByTestId('trace-detail').waitFor();
    expect(JSON.parse((await page.getByTestId('trace-raw').textContent()) ?? '').id).toBe(shared);
    await page.context().close();
  }, 60_000);

  it('narrows a trace search to a custom date-time range', async () => {
    await devClient.callTool({ name: 'list_repositories', arguments: { owner: 'range-check' } });
    await flushTraces(gateway);
    const page = await signedIn('admin', '/traces?q=range-check');
    const rows = page.getByTestId('traces-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    const local = (offsetMs: number) => {
      const d = new Date(Date.now() + offsetMs);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    };
    await page.getByLabel('Time range').selectOption('custom');
    // A range that ended an hour ago: the call is not in it.
    await page.getByLabel('From').fill(local(-3 * 3_600_000));
    await page.getByLabel('Until').fill(local(-3_600_000));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/until=/);
    const params = new URL(page.url()).searchParams;
    expect(Date.parse(params.get('until') ?? '')).toBeLessThan(Date.now() - 3_500_000);
    expect(params.get('since')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    await page.getByText('No tool calls match.').waitFor();
    // The form shows the range it searched, and a wider one finds the call.
    expect(await page.getByLabel('Until').inputValue()).toBe(local(-3_600_000));
    await page.getByLabel('Until').fill(local(3_600_000));
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.context().close();
  }, 60_000);

  it('draws the overview from real calls: calls per hour by tool and by profile, error rate, latency, pending count', async () => {
    await devClient.callTool({ name: 'list_repositories', arguments: { owner: 'overview' } });
    await devClient.callTool({ name: 'fetch_page', arguments: { page: 'overview' } });
    await flushTraces(gateway);

    const page = await signedIn('lead', '/');
    const byTool = page.getByTestId('chart-by-tool');
    await byTool.waitFor();
    // recharts drew the stacked areas and bars (SVG), one series per tool / profile.
    await expect.poll(() => byTool.locator('svg .recharts-area').count()).toBeGreaterThanOrEqual(2);
    await expect
      .poll(() =>
        page.getByTestId('chart-by-profile').locator('svg .recharts-bar-rectangle path, svg .recharts-bar-rectangle rect').count(),
      )
      .toBeGreaterThan(0);
    const summary = (await page.getByTestId('chart-by-tool-summary').textContent()) ?? '';
    expect(summary).toMatch(/list_repositories \d+/);
    expect(summary).toMatch(/fetch_page \d+/);
    expect(await page.getByTestId('chart-by-profile-summary').textContent()).toMatch(/coding \d+/);
    expect(Number(await page.getByTestId('stat-total').textContent())).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('stat-error-rate').textContent()).toMatch(/^\d+\.\d %$/);
    expect(await page.getByTestId('stat-p50').textContent()).toMatch(/^[\d.]+ ms$/);
    expect(await page.getByTestId('stat-p99').textContent()).toMatch(/^[\d.]+ ms$/);
    expect(await page.getByTestId('stat-pending').textContent()).toBe('0');
    await shot(page, 'overview');

    // The text alternative: the same numbers as a table.
    await byTool.getByText('Table', { exact: true }).click();
    const table = page.getByTestId('chart-by-tool-table');
    await table.waitFor();
    expect(await table.locator('thead').textContent()).toContain('list_repositories');
    await page.getByText('7 d', { exact: true }).click();
    await expect
      .poll(async () => ((await page.getByTestId('chart-by-tool-summary').textContent()) ?? '').includes('list_repositories'))
      .toBe(true);
    await page.context().close();

    // A member sees the numbers of their own calls only: this one has made none.
    const member = await signedIn('member', '/');
    await member.getByTestId('stat-total').waitFor();
    expect(await member.getByTestId('stat-total').textContent()).toBe('0');
    expect(await member.getByTestId('chart-by-tool-summary').textContent()).toBe('No calls in this window.');
    expect(await member.getByTestId('stat-pending').count()).toBe(0);
    await member.context().close();
  }, 60_000);

  it('shows a held destructive call in the inbox without a reload, and approving it in the browser delivers the result to the waiting client', async () => {
    const page = await signedIn('lead', '/approvals');
    await page.getByTestId('inbox-empty').waitFor();
    expect(await page.getByTestId('pending-count').textContent()).toBe('0');

    const call = devClient.callTool({ name: 'delete_repository', arguments: { name: 'payments-api' } });
    // Polling brings it in: no reload.
    const row = page.getByTestId('approvals-table').locator('tbody tr');
    await row.first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('pending-count').textContent()).toBe('1');
    const text = (await row.first().textContent()) ?? '';
    for (const part of [
      `dev@${tenant}.test`,
      'e2e-legacy',
      'delete_repository',
      'codehost/delete_repository',
      'coding',
      '"name":"payments-api"',
      'ago',
      'left',
    ]) {
      expect(text).toContain(part);
    }
    await shot(page, 'approvals-inbox');

    await row
      .first()
      .getByRole('link', { name: /Review/ })
      .click();
    await page.getByRole('heading', { name: /delete_repository/ }).waitFor();
    expect(await page.getByTestId('approval-arguments').textContent()).toBe(JSON.stringify({ name: 'payments-api' }, null, 2));
    await page.getByLabel(/Reason/).fill('Decommissioned, ticket OPS-42');
    await shot(page, 'approval-detail');
    await page.getByRole('button', { name: 'Approve' }).click();

    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.structuredContent)).toContain('payments-api');
    await expect.poll(() => page.getByTestId('execution').textContent(), { timeout: 10_000 }).toBe('succeeded');
    expect(await page.getByText('Decommissioned, ticket OPS-42').count()).toBe(1);
    await expect.poll(() => page.getByTestId('pending-count').textContent()).toBe('0');
    await page.context().close();
  }, 60_000);

  it('shows a tool result containing <script> as text, and no script in it runs', async () => {
    const payload = '<script>window.__xss = "ran"; alert("xss")</script><img src=x onerror="window.__xss=\'img\'">Quarterly report';
    await devClient.callTool({ name: 'fetch_page', arguments: { page: payload } });
    await flushTraces(gateway);

    const page = await signedIn('admin', '/traces?tool=fetch_page');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const rows = page.getByTestId('traces-table').locator('tbody tr');
    await rows.first().waitFor();
    await rows
      .first()
      .getByRole('link', { name: /Details/ })
      .click();
    const resultText = page.getByTestId('trace-result-text');
    await resultText.waitFor();
    expect(await resultText.textContent()).toBe(payload);
    expect(await resultText.isVisible()).toBe(true);
    expect(await page.getByTestId('trace-arguments').textContent()).toContain('<script>');
    // Nothing from the payload became markup, and nothing ran.
    expect(await page.getByTestId('trace-detail').locator('script, img').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await shot(page, 'trace-detail-script-as-text');
    await page.context().close();
  }, 60_000);

  it('has no serious or critical WCAG 2.1 A/AA violations on the main pages (axe-core)', async () => {
    const page = await signedIn('admin', '/');
    const found: string[] = [];
    for (const path of [
      '/',
      '/traces',
      '/approvals',
      '/admin/audit',
      '/admin/tokens',
      '/admin/groups',
      '/admin/profiles',
      '/admin/servers',
    ]) {
      await page.goto(`${consoleApp.url}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
        found.push(
          `${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
        );
    }
    expect(found, found.join('\n')).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('can be driven from the keyboard: skip link, navigation, and a trace search submitted with Enter', async () => {
    const page = await signedIn('admin', '/');
    await page.locator('main h1').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // Tab on from the top reaches the navigation; Enter on the traces link opens the page.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.getAttribute('href'))) === '/traces') break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/traces/);
    await page.getByLabel(/Tool/).first().focus();
    await page.keyboard.type('list_repositories');
    await page.keyboard.press('Enter');
    await page.waitForURL(/tool=list_repositories/);
    await page.context().close();
  });

  it('keeps the page width with a huge unbroken argument: it wraps and scrolls inside its own block', async () => {
    const token = `${'A'.repeat(20_000)}-end`;
    await devClient.callTool({ name: 'fetch_page', arguments: { page: token } });
    await flushTraces(gateway);
    const page = await signedIn('admin', `/traces?tool=fetch_page&q=${'A'.repeat(50)}`);
    const rows = page.getByTestId('traces-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await rows
      .first()
      .getByRole('link', { name: /Details/ })
      .click();
    const args = page.getByTestId('trace-arguments');
    await args.waitFor();
    expect(JSON.parse((await args.textContent()) ?? '')).toEqual({ page: token });
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    const block = await args.boundingBox();
    expect(block?.width ?? Infinity).toBeLessThan(widths.viewport);
    // Scrollable from the keyboard: the block takes focus.
    await args.focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('trace-arguments');
    await page.context().close();
  }, 60_000);
});
