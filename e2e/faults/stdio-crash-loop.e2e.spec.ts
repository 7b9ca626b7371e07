import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Client } from '@modelcontextprotocol/client';
import type { RunningGateway } from '@gatehouse/gateway';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { sleep } from './support/call-load';

const SERVER = join(__dirname, 'support/crash-looping-stdio-server.mjs');
/** 4 attempts of at most 2 processes each (see below); restarting every 500 ms would be about 15. */
const MAX_STARTS_IN_8S = 10;

/** One tenant whose stdio server can be made to die at every start (its flag file removed) and healed. */
class CrashLoopingTenant {
  readonly slug = uniqueSlug('crashloop');
  private readonly dir = mkdtempSync(join(tmpdir(), 'crash-loop-'));
  readonly startLog = join(this.dir, 'starts.log');
  private readonly flag = join(this.dir, 'healthy');

  constructor() {
    writeFileSync(this.startLog, '');
  }

  yaml(): string {
    return `
tenants:
  - slug: ${this.slug}
    name: Crash loop
    servers:
      - name: crashy
        transport: stdio
        command: ${process.execPath}
        args: ["${SERVER}"]
        env: { START_LOG: "${this.startLog}", HEALTHY_FLAG: "${this.flag}" }
    profiles: [{ slug: main, tools: [{ server: crashy, tool: ping }, { server: crashy, tool: crash }] }]
    groups: [{ idpGroup: all, profiles: [main] }]
    users: [{ email: u@${this.slug}.test, groups: [all] }]
`;
  }

  heal(): void {
    writeFileSync(this.flag, 'ok');
  }

  break(): void {
    rmSync(this.flag, { force: true });
  }

  starts(): number {
    return readFileSync(this.startLog, 'utf8').split('\n').filter(Boolean).length;
  }
}

const ping = (client: Client) =>
  client.callTool({ name: 'ping', arguments: {} }).then(
    (r) => ({ ok: !r.isError, text: JSON.stringify(r.content) }),
    (e: unknown) => ({ ok: false, text: String(e) }),
  );

/**
 * Calls `ping` back to back for `ms` (as clients keep doing while a server is down), and returns
 * every failure message and how many processes the gateway started meanwhile.
 */
async function pingFor(
  client: Client,
  tenant: CrashLoopingTenant,
  ms: number,
): Promise<{ calls: number; errors: string[]; starts: number }> {
  const startsBefore = tenant.starts();
  const errors: string[] = [];
  let calls = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    calls += 1;
    const outcome = await ping(client);
    if (!outcome.ok) errors.push(outcome.text);
    await sleep(50);
  }
  return { calls, errors, starts: tenant.starts() - startsBefore };
}

/**
 * An upstream stdio server that keeps crashing. The gateway's supervisor must restart it with
 * growing delays (not once per call: a crash-looping server must not turn client traffic into a
 * fork storm), answer calls meanwhile with an error that names the server and says why, and serve
 * it again soon after it can start.
 */
describe('fault: an upstream stdio server crashing repeatedly', () => {
  let db: DataSource;
  let gateway: RunningGateway;
  const clients: Client[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await gateway?.close();
    await db?.destroy();
  });

  async function connect(tenant: CrashLoopingTenant): Promise<Client> {
    await applyYaml(db, tenant.yaml());
    const client = await connectClient(gateway.url, tenant.slug, 'main', await issueToken(db, tenant.slug, `u@${tenant.slug}.test`));
    clients.push(client);
    return client;
  }

  it(
    'restarts a server that crashes and then dies at every start with backoff, erring clearly meanwhile',
    { timeout: 60_000 },
    async () => {
      const tenant = new CrashLoopingTenant();
      tenant.heal();
      const client = await connect(tenant);
      expect((await ping(client)).ok).toBe(true);

      tenant.break();
      await client.callTool({ name: 'crash', arguments: {} }).catch(() => undefined);
      const loop = await pingFor(client, tenant, 8_000);
      console.info(`[fault:stdio] crashed server: ${loop.calls} calls in 8 s, ${loop.errors.length} failed, ${loop.starts} process starts`);
      expect(loop.errors).toHaveLength(loop.calls);
      for (const error of loop.errors) expect(error).toMatch(/server "crashy" is (restarting after it exited|unavailable)/);
      // Attempts 0.5 s, 1 s, 2 s, 4 s apart: 3 or 4 in 8 s, whatever the number of calls. Each attempt
      // may start two processes: the SDK's era negotiation takes a stdio server that dies during its
      // `server/discover` probe for a 2025-era server and starts it again for `initialize`.
      expect(loop.calls).toBeGreaterThanOrEqual(3 * MAX_STARTS_IN_8S); // one start per call would be many more
      expect(loop.starts).toBeGreaterThanOrEqual(3);
      expect(loop.starts).toBeLessThanOrEqual(MAX_STARTS_IN_8S);

      tenant.heal();
      await expect.poll(async () => (await ping(client)).ok, { timeout: 25_000, interval: 200 }).toBe(true);
    },
  );

  it(
    'keeps trying a server that dies at every start from its first use, and serves it once it can start',
    { timeout: 60_000 },
    async () => {
      const tenant = new CrashLoopingTenant();
      const client = await connect(tenant);
      const loop = await pingFor(client, tenant, 8_000);
      console.info(
        `[fault:stdio] never-started server: ${loop.calls} calls in 8 s, ${loop.errors.length} failed, ${loop.starts} process starts`,
      );
      expect(loop.errors).toHaveLength(loop.calls);
      for (const error of loop.errors)
        expect(error).toMatch(/Tool "ping" is currently unavailable: server "crashy" is (restarting after it exited|unavailable)/);
      expect(loop.starts).toBeGreaterThanOrEqual(4); // it is being retried (not only when the tool list expires)…
      expect(loop.starts).toBeLessThanOrEqual(MAX_STARTS_IN_8S); // …with backoff, not once per call

      tenant.heal();
      const healedAt = Date.now();
      await expect.poll(async () => (await ping(client)).ok, { timeout: 25_000, interval: 200 }).toBe(true);
      console.info(`[fault:stdio] never-started server served ${Date.now() - healedAt} ms after it could start`);
    },
  );
});
