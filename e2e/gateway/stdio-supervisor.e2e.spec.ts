import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Client } from '@modelcontextprotocol/client';
import type { RunningGateway } from '@gatehouse/gateway';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { REPO_ROOT } from '../support/demo-tenant-yaml';

describe('stdio upstream supervision', () => {
  let db: DataSource;
  let gateway: RunningGateway;
  let client: Client;
  const tenant = uniqueSlug('crashy');
  const startLog = join(mkdtempSync(join(tmpdir(), 'crashy-')), 'starts.log');
  const starts = () => readFileSync(startLog, 'utf8').split('\n').filter(Boolean);

  beforeAll(async () => {
    db = await openTestDatabase();
    await applyYaml(db, `
tenants:
  - slug: ${tenant}
    name: Crashy
    servers:
      - name: crashy
        transport: stdio
        command: ${process.execPath}
        args: ["${join(REPO_ROOT, 'e2e/support/crashing-stdio-server.mjs')}"]
        env: { START_LOG: "${startLog}" }
    profiles: [{ slug: main, tools: [{ server: crashy, tool: ping }, { server: crashy, tool: crash }] }]
    groups: [{ idpGroup: all, profiles: [main] }]
    users: [{ email: u@${tenant}.test, groups: [all] }]
`);
    gateway = await startTestGateway();
    client = await connectClient(gateway.url, tenant, 'main', await issueToken(db, tenant, `u@${tenant}.test`));
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await db?.destroy();
  });

  it('gives a clear error while a crashed server restarts, then serves again from a new process', async () => {
    const first = await client.callTool({ name: 'ping', arguments: {} });
    const firstPid = JSON.stringify(first.content).match(/pong from (\d+)/)?.[1];
    expect(firstPid).toBeTruthy();

    const crash = await client.callTool({ name: 'crash', arguments: {} }).catch((e: Error) => e);
    expect(String(crash)).toMatch(/closed|unavailable|restarting/i);

    const meanwhile = await client.callTool({ name: 'ping', arguments: {} }).catch((e: Error) => e);
    expect(String(meanwhile)).toMatch(/server "crashy" is restarting after it exited/);

    await expect
      .poll(async () => {
        const r = await client.callTool({ name: 'ping', arguments: {} }).catch(() => null);
        return JSON.stringify(r?.content ?? '').match(/pong from (\d+)/)?.[1] ?? null;
      }, { timeout: 10_000, interval: 200 })
      .not.toBeNull();
    const after = await client.callTool({ name: 'ping', arguments: {} });
    expect(JSON.stringify(after.content)).not.toContain(`pong from ${firstPid}`);
  });

  it('backs off exponentially when the server keeps dying', async () => {
    const before = starts().length;
    const began = Date.now();
    for (let i = 0; i < 3; i++) {
      await expect.poll(async () => (await client.callTool({ name: 'ping', arguments: {} }).catch(() => null)) !== null, { timeout: 15_000, interval: 100 }).toBe(true);
      await client.callTool({ name: 'crash', arguments: {} }).catch(() => undefined);
    }
    await expect.poll(async () => (await client.callTool({ name: 'ping', arguments: {} }).catch(() => null)) !== null, { timeout: 20_000, interval: 100 }).toBe(true);
    const elapsed = Date.now() - began;
    // Four restarts in a row wait 1 s + 2 s + 4 s (the first restart's 500 ms was the previous test's).
    expect(elapsed).toBeGreaterThan(6_000);
    expect(starts().length - before).toBeGreaterThanOrEqual(3);
  }, 40_000);
});
