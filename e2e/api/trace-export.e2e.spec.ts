import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';
import type { RunningApi } from '@gatehouse/api';
import { startTestApi } from '../support/test-api';
import { applyYaml, issueToken, openTestDatabase, uniqueSlug } from '../support/test-gateway';
import { insertTraceRecords, traceRecord } from '../support/trace-factory';
import { parseCsv } from '../support/csv';

const yaml = (slug: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: codehost, transport: http, url: "http://127.0.0.1:9/mcp" }]
    profiles: [{ slug: coding, tools: [] }]
    groups:
      - { idpGroup: devs, role: member, profiles: [coding] }
      - { idpGroup: sec, role: admin, profiles: [coding] }
    users:
      - { email: alice@${slug}.test, groups: [devs] }
      - { email: bob@${slug}.test, groups: [devs] }
      - { email: admin@${slug}.test, groups: [sec] }
`;

const HOUR = 3_600_000;
// Spreadsheet formulas an attacker could plant through a tool's arguments, error or name.
const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];

describe('GET /api/tenants/{tenant}/traces/export', () => {
  let db: DataSource;
  let api: RunningApi;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const tokens: Record<string, string> = {};
  const now = Date.now();
  // Alice: more traces than two export batches, one per minute going back; Bob: a few errors.
  const ALICE = 2_345;
  const BOB = 5;
  const get = (path: string, token: string) => fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const exportOf = (query: string, token = tokens.admin as string) => get(`/api/tenants/${acme}/traces/export?${query}`, token);
  const lines = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    db = await openTestDatabase();
    await applyYaml(db, yaml(acme));
    await applyYaml(db, yaml(globex));
    for (const who of ['alice', 'bob', 'admin']) tokens[who] = await issueToken(db, acme, `${who}@${acme}.test`);
    tokens.globexAdmin = await issueToken(db, globex, `admin@${globex}.test`);
    const tenantId = async (slug: string) => (await db.getRepository(Tenant).findOneOrFail({ where: { slug } })).id;
    const [acmeId, globexId] = [await tenantId(acme), await tenantId(globex)];
    await insertTraceRecords(db, [
      ...Array.from({ length: ALICE }, (_, i) =>
        traceRecord(acmeId, {
          userEmail: `alice@${acme}.test`,
          createdAt: new Date(now - (i + 1) * 60_000).toISOString(),
          arguments: { i },
        }),
      ),
      ...Array.from({ length: BOB }, (_, i) =>
        traceRecord(acmeId, {
          userEmail: `bob@${acme}.test`,
          createdAt: new Date(now - (i + 1) * 61_000).toISOString(),
          exposedTool: 'delete_repository',
          status: 'error',
          error: 'upstream said no, "quoted", and, commas\nand a newline',
        }),
      ),
      ...FORMULAS.map((f, i) =>
        traceRecord(acmeId, {
          userEmail: `bob@${acme}.test`,
          createdAt: new Date(now - 90 * 24 * HOUR - i * 1000).toISOString(),
          exposedTool: `formula_${i}`,
          clientName: f,
          error: f,
          status: 'error',
        }),
      ),
      traceRecord(globexId, { userEmail: `admin@${globex}.test`, exposedTool: 'globex_only' }),
    ]);
    api = await startTestApi();
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await db?.destroy();
  });

  it('streams every matching trace as JSON lines, across batches, newest first, as an attachment', async () => {
    const res = await exportOf('format=jsonl');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="traces-${acme}-[0-9TZ-]+\\.jsonl"$`));
    const traces = lines(await res.text());
    expect(traces).toHaveLength(ALICE + BOB + FORMULAS.length);
    expect(new Set(traces.map((t) => t.id)).size).toBe(traces.length);
    const times = traces.map((t) => Date.parse(t.createdAt as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(traces.some((t) => t.exposedTool === 'globex_only')).toBe(false);
    // The whole trace, as the detail API returns it.
    const one = traces.find((t) => (t.arguments as { i?: number } | null)?.i === 7);
    expect(one).toMatchObject({ userEmail: `alice@${acme}.test`, profile: 'coding', status: 'ok', arguments: { i: 7 } });
  });

  it('applies the search filters, time range included, exactly as the search does', async () => {
    const errors = lines(await (await exportOf('format=jsonl&status=error&tool=delete_repository')).text());
    expect(errors).toHaveLength(BOB);
    expect(errors.every((t) => t.userEmail === `bob@${acme}.test` && t.status === 'error')).toBe(true);

    const since = new Date(now - 30.5 * 60_000).toISOString();
    const until = new Date(now - 10.5 * 60_000).toISOString();
    const range = `since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}&user=alice@${acme}.test`;
    const exported = lines(await (await exportOf(`format=jsonl&${range}`)).text());
    expect(exported.map((t) => (t.arguments as { i: number }).i)).toEqual(Array.from({ length: 20 }, (_, k) => 10 + k));
    const searched = await (await get(`/api/tenants/${acme}/traces?${range}&limit=500`, tokens.admin as string)).json();
    expect(exported.map((t) => t.id)).toEqual(searched.items.map((t: { id: string }) => t.id));

    const text = lines(await (await exportOf('format=jsonl&q=%22i%22%3A%201234')).text());
    expect(text.map((t) => t.arguments)).toEqual([{ i: 1234 }]);
  });

  it('writes CSV with a header, every cell quoted, and quotes, commas and newlines kept intact', async () => {
    const res = await exportOf('format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="traces-.+\.csv"$/);
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual(
      expect.arrayContaining(['id', 'created_at', 'status', 'user_email', 'exposed_tool', 'latency_ms', 'arguments', 'result', 'error']),
    );
    expect(rows).toHaveLength(ALICE + BOB + FORMULAS.length);
    const col = (name: string) => (header as string[]).indexOf(name);
    const bobError = rows.find((r) => r[col('exposed_tool')] === 'delete_repository');
    expect(bobError?.[col('error')]).toBe('upstream said no, "quoted", and, commas\nand a newline');
    expect(bobError?.[col('latency_ms')]).toBe('10');
    const alice7 = rows.find((r) => r[col('arguments')] === '{"i":7}');
    expect(alice7?.[col('user_email')]).toBe(`alice@${acme}.test`);
  });

  it('keeps a cell that a spreadsheet would run as a formula as text, with a leading apostrophe', async () => {
    const csv = await (await exportOf('format=csv&until=30d')).text();
    const [header, ...rows] = parseCsv(csv);
    const col = (name: string) => (header as string[]).indexOf(name);
    expect(rows).toHaveLength(FORMULAS.length);
    for (const [i, formula] of FORMULAS.entries()) {
      const row = rows.find((r) => r[col('exposed_tool')] === `formula_${i}`);
      expect(row?.[col('error')], formula).toBe(`'${formula}`);
      expect(row?.[col('client_name')], formula).toBe(`'${formula}`);
    }
    // No line of the file starts a cell with a formula character outside quotes.
    expect(csv).not.toMatch(/(^|,|\r\n)[=+\-@\t]/);
  });

  it('exports for a member only their own calls, whatever user they ask for', async () => {
    const bobs = lines(await (await exportOf(`format=jsonl&user=alice@${acme}.test`, tokens.bob)).text());
    expect(bobs).toHaveLength(BOB + FORMULAS.length);
    expect(bobs.every((t) => t.userEmail === `bob@${acme}.test`)).toBe(true);
    const rows = parseCsv(await (await exportOf('format=csv', tokens.alice)).text());
    expect(rows).toHaveLength(ALICE + 1);
  });

  it('records every export in the admin audit log: who, the format and the filters as applied', async () => {
    await (await exportOf(`format=csv&tool=crm_lookup&since=1h`)).text();
    await (await exportOf(`format=jsonl&user=alice@${acme}.test`, tokens.bob)).text();
    const audit = await (await get(`/api/tenants/${acme}/audit?limit=500`, tokens.admin as string)).json();
    const exports = (
      audit.items as Array<{ action: string; actor: string; after: { format: string; filters: Record<string, string> } }>
    ).filter((e) => e.action === 'traces.export');
    expect(exports.find((e) => e.actor === `admin@${acme}.test` && e.after.filters.tool === 'crm_lookup')?.after).toMatchObject({
      format: 'csv',
      filters: { since: '1h' },
    });
    // A member's export is recorded with the narrowing the API applied, not what they asked for.
    expect(exports.find((e) => e.actor === `bob@${acme}.test`)?.after).toMatchObject({
      format: 'jsonl',
      filters: { user: `bob@${acme}.test` },
    });
    // A refused export takes nothing out, so records nothing.
    const before = exports.length;
    expect((await exportOf('format=xlsx')).status).toBe(400);
    const after = (await (await get(`/api/tenants/${acme}/audit?limit=500`, tokens.admin as string)).json()).items.filter(
      (e: { action: string }) => e.action === 'traces.export',
    );
    expect(after).toHaveLength(before);
  });

  it("answers another tenant's user 404 and bad filters 400 before any file is sent", async () => {
    const foreign = await exportOf('format=csv', tokens.globexAdmin);
    expect(foreign.status).toBe(404);
    for (const [query, message] of [
      ['', /format/],
      ['format=xlsx', /format/],
      ['format=csv&status=maybe', /status/],
      ['format=csv&until=yesterday-ish', /invalid time "yesterday-ish"/],
      ['format=jsonl&since=1h&until=2h', /since .* must be before until/],
    ] as const) {
      const res = await exportOf(query);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-disposition'), query).toBeNull();
      const body = await res.json();
      expect(body.error.code, query).toBe('validation_failed');
      expect(body.error.message, query).toMatch(message);
    }
  });
});
