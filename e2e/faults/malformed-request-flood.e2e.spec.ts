import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import { dropDatabase } from '@gatehouse/database';
import { applyYaml, connectClient, openIsolatedDatabase, issueToken, uniqueSlug } from '../support/test-gateway';
import { kill, spawnGateway } from '../support/processes';
import { MEMORY_PROBE_ENV, measureMemory, resetPeak } from './support/gateway-memory';

const FLOOD = 20_000;
const IN_FLIGHT = 32;
const MAX_BODY = 16 * 1024;

interface BadRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  path?: string;
}

/** Every way a request can be wrong that the gateway's edge must turn away without keeping anything. */
function malformedRequests(token: string, sessionId: string): Array<(i: number) => BadRequest> {
  const auth = { authorization: `Bearer ${token}` };
  const legacy = { ...auth, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
  return [
    () => ({ headers: auth, body: '{"jsonrpc": "2.0", "method": ' }), // truncated JSON
    (i) => ({ headers: auth, body: ['42', '"text"', 'null', 'true', '[]', '{}'][i % 6] }), // JSON, not JSON-RPC
    (i) => ({ headers: auth, body: JSON.stringify({ jsonrpc: '2.0', id: i, method: `no/such/method/${i}` }) }),
    (i) => ({
      headers: auth,
      body: JSON.stringify(Array.from({ length: 50 }, (_, k) => ({ jsonrpc: '2.0', id: `${i}-${k}`, junk: 'x'.repeat(20) }))),
    }),
    () => ({ headers: auth, body: Buffer.alloc(MAX_BODY + 1024, 0x61) }), // over the body limit
    () => ({ headers: auth, body: `${'['.repeat(1_000)}${']'.repeat(1_000)}` }), // deeply nested
    (i) => ({ headers: auth, body: Buffer.from(Array.from({ length: 512 }, (_, k) => (i * 31 + k * 7) % 256)) }), // binary garbage
    (i) => ({
      headers: { ...auth, 'mcp-session-id': `no-such-session-${i}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }),
    }),
    (i) => ({ headers: { authorization: `Bearer ghp_bogus_${i}` }, body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }) }),
    (i) => ({ headers: auth, body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'initialize', params: { protocolVersion: 42 } }) }), // an invalid initialize
    (i) => ({ headers: legacy, body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: 'not an object' }) }), // inside a live session
    (i) => ({
      headers: legacy,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: i,
        method: 'tools/call',
        params: { name: `nope-${i}`, arguments: { x: 'y'.repeat(200) } },
      }),
    }),
    (i) => ({ headers: { ...auth, 'content-type': 'text/plain' }, body: `hello ${i}` }),
    (i) => ({ method: 'DELETE', headers: { ...auth, 'mcp-session-id': `gone-${i}` } }),
    (i) => ({ method: 'GET', headers: { ...auth, accept: 'text/html' }, path: `?x=${i}` }),
  ];
}

/** One raw HTTP exchange on a keep-alive socket (lighter than fetch: the flood is CPU-bound); 0 for a dropped connection. */
function sendWith(agent: Agent): (url: string, bad: BadRequest) => Promise<number> {
  return (url, bad) =>
    new Promise((resolve) => {
      const req = request(
        url,
        {
          agent,
          method: bad.method ?? 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...bad.headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(bad.body);
    });
}

/**
 * A flood of malformed requests. The gateway runs as its own process so its memory can be measured
 * alone (heap after a full GC, and peak RSS from /proc); bounds are generous against a baseline
 * taken in the same test, after a warm-up of the same traffic. Meanwhile a well-behaved client
 * keeps calling and must be served throughout.
 */
describe('fault: a flood of malformed requests', () => {
  let dbUrl: string;
  let db: DataSource;
  let upstream: DemoHttpServer;
  let gateway: { url: string; process: ChildProcess };
  const tenant = uniqueSlug('flood');
  let token: string;

  beforeAll(async () => {
    // Its own database: no other file's approval jobs may land on a process this test kills.
    ({ url: dbUrl, db } = await openIsolatedDatabase('flood'));
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(
      db,
      `
tenants:
  - slug: ${tenant}
    name: Flood
    servers: [{ name: codehost, transport: http, url: "${upstream.url}" }]
    profiles: [{ slug: main, tools: [{ server: codehost, tool: list_repositories }] }]
    groups: [{ idpGroup: all, profiles: [main] }]
    users: [{ email: u@${tenant}.test, groups: [all] }]
`,
    );
    token = await issueToken(db, tenant, `u@${tenant}.test`);
    gateway = await spawnGateway({
      ...MEMORY_PROBE_ENV,
      DATABASE_URL: dbUrl,
      REDIS_URL: inject('redisUrl'),
      TRACE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'gh-spool-')),
      GATEWAY_MAX_BODY_BYTES: String(MAX_BODY),
    });
  });
  afterAll(async () => {
    if (gateway) await kill(gateway.process);
    await upstream?.close();
    await db?.destroy();
    if (dbUrl) await dropDatabase(dbUrl);
  });

  it('keeps its memory bounded and serves a well-behaved client throughout', { timeout: 90_000 }, async () => {
    const endpoint = `${gateway.url}/mcp/${tenant}/main`;
    const init = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'flood', version: '1' } },
      }),
    });
    const sessionId = init.headers.get('mcp-session-id') as string;
    await init.text();
    const kinds = malformedRequests(token, sessionId);
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const send = sendWith(agent);
    const statuses = new Map<number, number>();
    const flood = async (count: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < count) {
            const i = next++;
            const bad = kinds[i % kinds.length]!(i);
            const status = await send(`${endpoint}${bad.path ?? ''}`, bad);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        }),
      );
    };
    const readiness = async () => (await (await fetch(`${gateway.url}/readyz`)).json()) as { sessions: number };

    await flood(1_000); // warm-up: JIT, pools, caches reach their working size
    const client = await connectClient(gateway.url, tenant, 'main', token);
    const sessionsBefore = (await readiness()).sessions;
    const baseline = await measureMemory(gateway);
    resetPeak(gateway);

    let served = 0;
    const failures: string[] = [];
    let flooding = true;
    const wellBehaved = (async () => {
      while (flooding) {
        await client.callTool({ name: 'list_repositories', arguments: {} }).then(
          (r) => (r.isError ? failures.push(JSON.stringify(r.content)) : served++),
          (e: unknown) => failures.push(String(e)),
        );
      }
    })();
    const started = Date.now();
    await flood(FLOOD);
    const floodMs = Date.now() - started;
    flooding = false;
    await wellBehaved;

    const sessionsAfter = (await readiness()).sessions;
    const after = await measureMemory(gateway);
    console.info(
      `[fault:flood] ${FLOOD} malformed requests in ${floodMs} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `heap after GC ${baseline.heapMb} → ${after.heapMb} MB, RSS ${baseline.rssMb} → ${after.rssMb} MB (peak ${after.peakRssMb} MB); ` +
        `well-behaved client: ${served} calls served, ${failures.length} failed; legacy sessions ${sessionsBefore} → ${sessionsAfter}`,
    );
    // Every malformed request got an answer, none of them a crash (no 5xx, no dropped connection).
    expect(statuses.get(0) ?? 0).toBe(0);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    // The well-behaved client was served all along.
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(20);
    // Nothing was kept: no session from an invalid initialize, no heap growth worth the name.
    expect(sessionsAfter).toBe(sessionsBefore);
    expect(after.heapMb - baseline.heapMb).toBeLessThan(16);
    expect(after.peakRssMb - baseline.rssMb).toBeLessThan(128);
    agent.destroy();
    await client.close();
    // And the gateway still answers a valid call.
    const last = await connectClient(gateway.url, tenant, 'main', token, 'modern');
    expect((await last.callTool({ name: 'list_repositories', arguments: {} })).isError).toBeFalsy();
    await last.close();
  });
});
