import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';
import type { TraceRecord } from '@gatehouse/audit';
import type { RunningApi } from '@gatehouse/api';
import { startTestApi } from '../support/test-api';
import { applyYaml, issueToken, openTestDatabase, uniqueSlug } from '../support/test-gateway';
import { insertTraceRecords, traceRecord } from '../support/trace-factory';

const yaml = (slug: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: codehost, transport: http, url: "http://127.0.0.1:9/mcp" }]
    profiles: [{ slug: coding, tools: [] }, { slug: support, tools: [] }]
    groups:
      - { idpGroup: devs, role: member, profiles: [coding, support] }
      - { idpGroup: leads, role: approver, profiles: [coding, support] }
    users:
      - { email: alice@${slug}.test, groups: [devs] }
      - { email: lead@${slug}.test, groups: [leads] }
`;

const HOUR = 3_600_000;
const hourOf = (t: number) => new Date(Math.floor(t / HOUR) * HOUR).toISOString();

/** Postgres' percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

interface Overview {
  window: string;
  from: string;
  to: string;
  total: number;
  byStatus: Record<string, number>;
  errorRate: number | null;
  latencyMs: { p50: number | null; p99: number | null };
  byTool: { keys: string[]; hours: Array<{ hour: string; counts: Record<string, number> }> };
  byProfile: { keys: string[]; hours: Array<{ hour: string; counts: Record<string, number> }> };
}

describe('GET /api/tenants/{tenant}/overview', () => {
  let db: DataSource;
  let api: RunningApi;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const tokens: Record<string, string> = {};
  // Known calls at known times, 30 and 150 minutes ago: the expected hour buckets are computed from
  // the same times, so the test holds whenever it runs.
  const now = Date.now();
  const recent = now - 30 * 60_000;
  const earlier = now - 150 * 60_000;
  const threeDaysAgo = now - 72 * HOUR;
  const records: TraceRecord[] = [];
  const overview = async (query: string, token: string): Promise<Overview> => {
    const res = await fetch(`${api.url}/api/tenants/${acme}/overview?${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Overview;
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    await applyYaml(db, yaml(acme));
    await applyYaml(db, yaml(globex));
    tokens.alice = await issueToken(db, acme, `alice@${acme}.test`);
    tokens.lead = await issueToken(db, acme, `lead@${acme}.test`);
    const tenantId = async (slug: string) => (await db.getRepository(Tenant).findOneOrFail({ where: { slug } })).id;
    const [acmeId, globexId] = [await tenantId(acme), await tenantId(globex)];
    const at = (t: number, fields: Partial<TraceRecord>) =>
      records.push(traceRecord(acmeId, { createdAt: new Date(t).toISOString(), ...fields }));
    // Alice: 10 list_repositories in the recent hour (latency 10..100 ms), 2 of them errors.
    for (let i = 0; i < 10; i++) {
      at(recent + i, { userEmail: `alice@${acme}.test`, latencyMs: (i + 1) * 10, status: i < 2 ? 'error' : 'ok', profile: 'coding' });
    }
    // The lead: 4 search_kb on support in the earlier hour, a denied call (never ran: not in the latency).
    for (let i = 0; i < 4; i++) {
      at(earlier + i, { userEmail: `lead@${acme}.test`, exposedTool: 'search_kb', profile: 'support', latencyMs: 200 + i });
    }
    at(earlier + 10, { userEmail: `lead@${acme}.test`, exposedTool: 'delete_repository', status: 'denied', latencyMs: 1 });
    // Outside 24 h but inside 7 d; and another tenant's call, never counted.
    at(threeDaysAgo, { userEmail: `alice@${acme}.test`, exposedTool: 'old_tool', latencyMs: 5000 });
    records.push(traceRecord(globexId, { exposedTool: 'globex_tool' }));
    await insertTraceRecords(db, records);
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
    await db?.destroy();
  });

  it('counts calls per hour per tool and per profile, with error rate and latency percentiles over 24 h', async () => {
    const o = await overview('window=24h', tokens.lead as string);
    expect(o.window).toBe('24h');
    expect(o.byTool.hours).toHaveLength(24);
    expect(Date.parse(o.to) - Date.parse(o.from)).toBe(24 * HOUR);
    expect(o.total).toBe(15);
    expect(o.byStatus).toEqual({ ok: 12, error: 2, denied: 1 });
    expect(o.errorRate).toBeCloseTo(2 / 15, 10);
    const ran = [...Array.from({ length: 10 }, (_, i) => (i + 1) * 10), 200, 201, 202, 203];
    expect(o.latencyMs.p50).toBeCloseTo(percentile(ran, 0.5), 6);
    expect(o.latencyMs.p99).toBeCloseTo(percentile(ran, 0.99), 6);

    expect(o.byTool.keys).toEqual(['list_repositories', 'search_kb', 'delete_repository']);
    const expected = new Map<string, Record<string, number>>();
    for (const r of records.filter((r) => r.exposedTool !== 'old_tool' && r.exposedTool !== 'globex_tool')) {
      const counts = expected.get(hourOf(Date.parse(r.createdAt))) ?? { list_repositories: 0, search_kb: 0, delete_repository: 0 };
      counts[r.exposedTool] = (counts[r.exposedTool] ?? 0) + 1;
      expected.set(hourOf(Date.parse(r.createdAt)), counts);
    }
    for (const { hour, counts } of o.byTool.hours) {
      expect(counts, hour).toEqual(expected.get(hour) ?? { list_repositories: 0, search_kb: 0, delete_repository: 0 });
    }
    expect(o.byTool.hours.find((h) => h.hour === hourOf(recent))?.counts.list_repositories).toBe(10);
    expect(o.byProfile.keys).toEqual(['coding', 'support']);
    expect(o.byProfile.hours.reduce((sum, h) => sum + (h.counts.support ?? 0), 0)).toBe(4);
    expect(o.byProfile.hours.reduce((sum, h) => sum + (h.counts.coding ?? 0), 0)).toBe(11);
  });

  it('widens to 7 days of hours on request', async () => {
    const o = await overview('window=7d', tokens.lead as string);
    expect(o.byTool.hours).toHaveLength(168);
    expect(o.total).toBe(16);
    expect(o.byTool.hours.find((h) => h.hour === hourOf(threeDaysAgo))?.counts.old_tool).toBe(1);
    expect(o.latencyMs.p99).toBeGreaterThan(1000);
  });

  it('gives a member the numbers of their own calls only, as trace search does', async () => {
    const o = await overview('window=24h', tokens.alice as string);
    expect(o.total).toBe(10);
    expect(o.byStatus).toEqual({ ok: 8, error: 2 });
    expect(o.errorRate).toBeCloseTo(0.2, 10);
    expect(o.byTool.keys).toEqual(['list_repositories']);
    expect(o.latencyMs.p50).toBeCloseTo(55, 6);
  });

  it('answers a bad window with a clear 400', async () => {
    const res = await fetch(`${api.url}/api/tenants/${acme}/overview?window=1y`, { headers: { authorization: `Bearer ${tokens.lead}` } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/window/);
  });
});
