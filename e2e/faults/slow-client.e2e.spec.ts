import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/client';
import { dropDatabase } from '@gatehouse/database';
import { applyYaml, connectClient, openIsolatedDatabase, issueToken, uniqueSlug } from '../support/test-gateway';
import { startControllableUpstream } from '../support/controllable-upstream';
import { MODERN_VERSION } from '../support/modern-rpc';
import { kill, spawnGateway } from '../support/processes';
import { MEMORY_PROBE_ENV, measureMemory, resetPeak } from './support/gateway-memory';
import { sleep } from './support/call-load';

const RESULT_BYTES = 4 * 1024 * 1024;
const STALLED_CALLS = 8;

/**
 * One `tools/call` of `big_result` written on a raw socket, whose response is then read the way a
 * slow client reads it: `never` (the socket is paused, so TCP pushes back on the gateway) or a
 * chunk every `delayMs`.
 */
function rawCall(
  gatewayUrl: string,
  path: string,
  headers: Record<string, string>,
  body: object,
  read: { never: true } | { delayMs: number },
): { socket: Socket; response: Promise<Buffer> } {
  const url = new URL(gatewayUrl);
  const payload = JSON.stringify(body);
  const socket = connect(Number(url.port), url.hostname);
  const head = [
    `POST ${path} HTTP/1.1`,
    `Host: ${url.host}`,
    'Content-Type: application/json',
    'Accept: application/json, text/event-stream',
    `Content-Length: ${Buffer.byteLength(payload)}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  socket.write(`${head}\r\n\r\n${payload}`);
  const chunks: Buffer[] = [];
  const response = new Promise<Buffer>((resolve, reject) => {
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
  response.catch(() => undefined);
  if ('never' in read) {
    socket.pause();
  } else {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      socket.pause();
      setTimeout(() => socket.resume(), read.delayMs);
    });
  }
  return { socket, response };
}

const bigResultCall = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'big_result', arguments: { bytes: RESULT_BYTES } },
});

/** The same call in the 2026-07-28 era: the envelope in `_meta`, the routing headers. */
const modern = (id: number) => {
  const call = bigResultCall(id);
  return {
    headers: { 'MCP-Protocol-Version': MODERN_VERSION, 'Mcp-Method': 'tools/call', 'Mcp-Name': 'big_result' },
    body: {
      ...call,
      params: {
        ...call.params,
        _meta: {
          [PROTOCOL_VERSION_META_KEY]: MODERN_VERSION,
          [CLIENT_INFO_META_KEY]: { name: 'slow-client', version: '1' },
          [CLIENT_CAPABILITIES_META_KEY]: {},
        },
      },
    },
  };
};

/** The body of a raw HTTP/1.1 response sent with chunked transfer encoding. */
function dechunk(raw: Buffer): string {
  let at = raw.indexOf('\r\n\r\n') + 4;
  const parts: Buffer[] = [];
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!size) return Buffer.concat(parts).toString('utf8');
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

const countX = (buffer: Buffer) => buffer.reduce((n, byte) => (byte === 0x78 ? n + 1 : n), 0);

/**
 * A slow client: one that stops reading (or reads slowly) the response streams of calls whose
 * results are large. The gateway (its own process, memory measured after a full GC) may hold what
 * it owes that client — those results — and nothing more; it must keep serving everyone else; and
 * once the client is gone, what it held must be released.
 */
describe('fault: a slow client', () => {
  let dbUrl: string;
  let db: DataSource;
  let upstream: Awaited<ReturnType<typeof startControllableUpstream>>;
  let gateway: { url: string; process: ChildProcess };
  const tenant = uniqueSlug('slow');
  let token: string;
  const path = () => `/mcp/${tenant}/main`;

  beforeAll(async () => {
    ({ url: dbUrl, db } = await openIsolatedDatabase('slow'));
    upstream = await startControllableUpstream();
    await applyYaml(
      db,
      `
tenants:
  - slug: ${tenant}
    name: Slow client
    servers: [{ name: big, transport: http, url: "${upstream.url}" }]
    profiles: [{ slug: main, tools: [{ server: big, tool: big_result }, { server: big, tool: weather }] }]
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
    });
  });
  afterAll(async () => {
    if (gateway) await kill(gateway.process);
    await upstream?.close();
    await db?.destroy();
    if (dbUrl) await dropDatabase(dbUrl);
  });

  /** A 2025-era session opened by hand, so its calls can be made on raw sockets. */
  async function openLegacySession(): Promise<string> {
    const response = await fetch(`${gateway.url}${path()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'slow-client', version: '1' } },
      }),
    });
    await response.text();
    return response.headers.get('mcp-session-id') as string;
  }

  it(
    'holds no more than the results it owes a client that stopped reading, serves others, and frees it all when the client goes',
    { timeout: 60_000 },
    async () => {
      // 2026-era: stateless, so no session keeps its results for replay (that is bounded separately).
      const others = await connectClient(gateway.url, tenant, 'main', token, 'modern');
      // Warm-up: one large result read normally, so the baseline includes what any large call leaves.
      expect(
        JSON.stringify((await others.callTool({ name: 'big_result', arguments: { bytes: RESULT_BYTES } })).content).length,
      ).toBeGreaterThan(RESULT_BYTES);
      const baseline = await measureMemory(gateway);
      resetPeak(gateway);

      const sessionId = await openLegacySession();
      const auth = { Authorization: `Bearer ${token}` };
      const stalled = Array.from({ length: STALLED_CALLS }, (_, i) => {
        if (i % 2 === 0) {
          const call = modern(i + 1);
          return rawCall(gateway.url, path(), { ...auth, ...call.headers }, call.body, { never: true });
        }
        const session = { ...auth, 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': '2025-11-25' };
        return rawCall(gateway.url, path(), session, bigResultCall(i + 1), { never: true });
      });
      await sleep(1_500); // every call has reached the upstream and written what the socket would take

      // Everyone else is served meanwhile, large results included.
      for (let i = 0; i < 10; i++) expect((await others.callTool({ name: 'weather', arguments: { city: `c${i}` } })).isError).toBeFalsy();
      const big = await others.callTool({ name: 'big_result', arguments: { bytes: RESULT_BYTES } });
      expect(countX(Buffer.from(JSON.stringify(big.content)))).toBeGreaterThanOrEqual(RESULT_BYTES);
      const whileStalled = await measureMemory(gateway);

      for (const { socket } of stalled) socket.destroy();
      await fetch(`${gateway.url}${path()}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      });
      await sleep(500);
      const afterwards = await measureMemory(gateway);
      const owedMb = (STALLED_CALLS * RESULT_BYTES) / 1024 / 1024;
      console.info(
        `[fault:slow] ${STALLED_CALLS} unread ${RESULT_BYTES / 1024 / 1024} MB results (${owedMb} MB owed): ` +
          `heap after GC ${baseline.heapMb} → ${whileStalled.heapMb} (stalled) → ${afterwards.heapMb} MB (client gone); ` +
          `RSS ${baseline.rssMb} → ${whileStalled.rssMb} → ${afterwards.rssMb} MB, peak ${whileStalled.peakRssMb} MB`,
      );
      // While stalled: the owed results, in the few forms a response takes on its way out, and no more.
      expect(whileStalled.heapMb - baseline.heapMb).toBeLessThan(3 * owedMb);
      expect(whileStalled.peakRssMb - baseline.rssMb).toBeLessThan(6 * owedMb);
      // Once the client is gone nothing it was owed is kept.
      expect(afterwards.heapMb - baseline.heapMb).toBeLessThan(3);
      await others.close();
    },
  );

  it.each(['modern', 'legacy'] as const)(
    'delivers a large result whole to a %s-era client that reads it slowly',
    { timeout: 30_000 },
    async (era) => {
      const auth = { Authorization: `Bearer ${token}` };
      const { response } =
        era === 'modern'
          ? rawCall(gateway.url, path(), { ...auth, ...modern(99).headers }, modern(99).body, { delayMs: 5 })
          : rawCall(
              gateway.url,
              path(),
              { ...auth, 'Mcp-Session-Id': await openLegacySession(), 'MCP-Protocol-Version': '2025-11-25' },
              bigResultCall(99),
              { delayMs: 5 },
            );
      const raw = await response;
      expect(raw.subarray(0, 15).toString()).toBe('HTTP/1.1 200 OK');
      const body = dechunk(raw);
      // A JSON body (2026-07-28), or the response event of an SSE stream (2025 session).
      const message =
        era === 'modern' ? body : (body.split('\n').find((line) => line.startsWith('data: {') && line.includes('"result"')) ?? '').slice(6);
      const answer = JSON.parse(message) as { id: number; result: { content: Array<{ text: string }> } };
      expect(answer.id).toBe(99);
      expect(answer.result.content[0]!.text).toBe('x'.repeat(RESULT_BYTES));
    },
  );
});
