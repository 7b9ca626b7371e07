import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pino from 'pino';
import { DataSource as TypeOrmDataSource } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';
import { TraceWriter } from './trace-writer';
import { Trace } from './trace.entity';
import type { TraceRecord } from './trace-record';
import { searchTraces } from './trace-search';

function traceFor(tenantId: string, n: number): TraceRecord {
  return {
    id: randomUUID(),
    tenantId,
    createdAt: new Date(Date.now() + n).toISOString(),
    userId: null,
    userEmail: 'dev@acme.test',
    clientName: 'vitest',
    clientVersion: '1',
    sessionId: null,
    protocolVersion: '2025-11-25',
    profile: 'coding',
    server: 'crm',
    upstreamTool: 'sql_query',
    exposedTool: 'lookup',
    arguments: { n, email: `user${n}@acme.test` },
    result: { content: [] },
    resultTruncated: false,
    resultBytes: 15,
    error: null,
    errorCode: null,
    status: 'ok',
    latencyMs: 1.5,
    approvalId: null,
  };
}

// A data source of just the tables this lib touches (the schema comes from the migrations).
const openDb = () => new TypeOrmDataSource({ type: 'postgres', url: inject('databaseUrl'), entities: [Trace, Tenant] });

describe('TraceWriter', () => {
  let db: TypeOrmDataSource;
  let tenantId: string;

  beforeAll(async () => {
    db = openDb();
    await db.initialize();
    const tenant = await db.getRepository(Tenant).save({ slug: `tw-${randomUUID().slice(0, 8)}`, name: 'Trace writer' });
    tenantId = tenant.id;
  });
  afterAll(async () => db.destroy());

  it('writes every recorded trace to Postgres in batches', async () => {
    const writer = new TraceWriter(db, pino({ level: 'silent' }), { spoolDir: mkdtempSync(join(tmpdir(), 'spool-')), batchSize: 7 });
    for (let i = 0; i < 50; i++) writer.record(traceFor(tenantId, i));
    await writer.flush();
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM traces WHERE tenant_id = $1', [tenantId]);
    expect(count).toBe(50);
    expect(writer.getStats().written).toBe(50);
  });

  it('spools to disk while Postgres is unreachable and replays every record exactly once', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'spool-'));
    const outage = openDb();
    await outage.initialize();
    const writer = new TraceWriter(outage, pino({ level: 'silent' }), { spoolDir, batchSize: 10, retryBaseMs: 50 });
    const { tenant } = await (async () => {
      const t = await db.getRepository(Tenant).save({ slug: `out-${randomUUID().slice(0, 8)}`, name: 'Outage' });
      return { tenant: t };
    })();
    // Simulate the outage: every connection of this writer's pool is terminated and new ones refused.
    await outage.destroy();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const t = traceFor(tenant.id, i);
      ids.push(t.id);
      writer.record(t);
    }
    await writer.flush();
    expect(writer.getStats().spooled).toBe(30);
    expect(readdirSync(spoolDir).length).toBeGreaterThan(0);
    // Postgres "comes back".
    await outage.initialize();
    await expect
      .poll(async () => (await db.query('SELECT count(*)::int AS c FROM traces WHERE tenant_id = $1', [tenant.id]))[0].c, {
        timeout: 10_000,
      })
      .toBe(30);
    // A second replay of the same records (e.g. a crash after insert, before delete) changes nothing.
    await writer.replaySpool();
    const rows = await db.query('SELECT id FROM traces WHERE tenant_id = $1', [tenant.id]);
    expect(new Set(rows.map((r: { id: string }) => r.id))).toEqual(new Set(ids));
    await writer.close();
    await outage.destroy();
  });

  it('searches with filters, free text and keyset cursors scoped to one tenant', async () => {
    const other = await db.getRepository(Tenant).save({ slug: `other-${randomUUID().slice(0, 8)}`, name: 'Other' });
    const writer = new TraceWriter(db, pino({ level: 'silent' }), { spoolDir: mkdtempSync(join(tmpdir(), 'spool-')) });
    for (let i = 0; i < 5; i++) writer.record(traceFor(other.id, i));
    await writer.flush();
    const first = await searchTraces(db, tenantId, { limit: 20 });
    expect(first.items).toHaveLength(20);
    expect(first.items.every((t) => t.tenantId === tenantId)).toBe(true);
    const second = await searchTraces(db, tenantId, { limit: 20, cursor: first.nextCursor ?? undefined });
    const seen = new Set([...first.items, ...second.items].map((t) => t.id));
    expect(seen.size).toBe(40);
    const text = await searchTraces(db, tenantId, { q: 'user42@acme' });
    expect(text.items.map((t) => (t.arguments as { n: number }).n)).toEqual([42]);
    const foreign = await searchTraces(db, other.id, { q: 'user42@acme' });
    expect(foreign.items).toHaveLength(0);
    await expect(searchTraces(db, tenantId, { cursor: 'garbage' })).rejects.toThrow(/invalid cursor/);
  });
});
