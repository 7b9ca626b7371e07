import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureConsoleRunnable } from './console-build';
import { TestIdp, type AssertionOptions } from './test-idp';

/**
 * The console in a real browser: the built Next.js app started on a free port against a test API,
 * Debian's chromium driven by playwright-core, and the test IdP answering the browser's SAML
 * redirect (requests to https://idp.test are fulfilled in the browser with an auto-posting form,
 * exactly what a real IdP sends back).
 *
 * The console runs as it does in its image: Next's standalone server.js (`output: 'standalone'`),
 * completed with its static assets by docker/console-bundle.mjs (./console-build.ts), not `next start`.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(root, 'e2e/screenshots');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/** The standalone server on `port`, forwarding /api/* to `apiUrl`; resolves once it answers. */
export async function startConsole(apiUrl: string, port: number): Promise<RunningConsole> {
  const server = ensureConsoleRunnable();
  // PORT and HOSTNAME are how the standalone server is told where to listen (as in the image).
  const child: ChildProcess = spawn(process.execPath, [server], {
    cwd: dirname(server),
    env: {
      ...process.env,
      API_URL: apiUrl,
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the console exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/signin`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the console did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    close: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export type IdpUser = Omit<AssertionOptions, 'acsUrl' | 'audience' | 'inResponseTo'>;

/**
 * A browser context whose SAML IdP is `idp`, signing in as `user`: the API's redirect to the IdP
 * is answered with the signed Response in a form that posts itself to the ACS (HTTP-POST binding).
 */
export async function idpContext(
  browser: Browser,
  idp: TestIdp,
  consoleUrl: string,
  tenant: string,
  user: IdpUser,
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const acsUrl = `${consoleUrl}/api/auth/saml/${tenant}/acs`;
  const audience = `${consoleUrl}/api/auth/saml/${tenant}/metadata`;
  await context.route(`${new URL(idp.ssoUrl).origin}/**`, async (route) => {
    const url = route.request().url();
    const relayState = new URL(url).searchParams.get('RelayState') ?? '';
    const samlResponse = idp.response({ acsUrl, audience, inResponseTo: TestIdp.requestIdFrom(url), ...user });
    const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    await route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: `<!doctype html><html><body><form method="post" action="${attr(acsUrl)}"><input type="hidden" name="SAMLResponse" value="${attr(samlResponse)}"><input type="hidden" name="RelayState" value="${attr(relayState)}"><noscript><button>Continue</button></noscript></form><script>document.forms[0].submit()</script></body></html>`,
    });
  });
  return context;
}

/** Opens `path` signed out, goes through the console's sign-in page and the IdP, and lands back on `path`. */
export async function signInThroughConsole(page: Page, consoleUrl: string, tenant: string, path = '/'): Promise<void> {
  await page.goto(`${consoleUrl}${path}`);
  await page.waitForURL(/\/signin\?/);
  await page.getByLabel('Tenant').fill(tenant);
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await page.waitForURL((url) => url.origin === consoleUrl && url.pathname + url.search === path);
  await page.getByTestId('who').waitFor();
}
