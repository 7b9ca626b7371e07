import { z } from 'zod';
import ms from 'ms';
import type { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { Trace, TRACE_STATUSES } from './trace.entity';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';

/** Filters shared by the CLI and `GET /api/tenants/{tenant}/traces`. */
export const traceQuerySchema = z.object({
  user: z.string().optional(),
  tool: z.string().optional(),
  server: z.string().optional(),
  profile: z.string().optional(),
  client: z.string().optional(),
  status: z.enum(TRACE_STATUSES).optional(),
  since: z.string().optional(),
  /** Traces with a scanner finding: a rule id, a category, or `any`. */
  finding: z.string().max(100).optional(),
  until: z.string().optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
});
export type TraceQuery = z.input<typeof traceQuerySchema>;

export interface TracePage {
  items: Trace[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One trace of one tenant; `onlyUser` limits it to that user's own calls. Another tenant's id, a
 * trace of someone else, and an id that does not exist all answer the same `not_found`.
 */
export async function findTrace(db: DataSource, tenantId: string, id: string, onlyUser?: string): Promise<Trace> {
  const trace = UUID.test(id) ? await db.getRepository(Trace).findOne({ where: { tenantId, id } }) : null;
  if (!trace || (onlyUser && trace.userEmail !== onlyUser.toLowerCase())) throw new GatehouseError('not_found', `No trace "${id}".`);
  return trace;
}

/** `1h`, `30m`, `7d` relative to now, or an ISO timestamp. */
export function parseTimeBound(value: string, now = Date.now()): Date {
  const relative = ms(value as ms.StringValue);
  if (typeof relative === 'number' && Number.isFinite(relative)) return new Date(now - relative);
  const absolute = new Date(value);
  if (Number.isNaN(absolute.getTime())) {
    throw new GatehouseError('validation_failed', `invalid time "${value}" (use 1h, 30m, 7d or an ISO timestamp)`);
  }
  return absolute;
}

/**
 * Keyset pagination on (created_at, id) descending, always scoped to one tenant: stable under
 * concurrent inserts and fast at any depth, unlike OFFSET.
 */
export async function searchTraces(db: DataSource, tenantId: string, rawQuery: TraceQuery): Promise<TracePage> {
  const parsed = traceQuerySchema.safeParse(rawQuery);
  if (!parsed.success) {
    throw new GatehouseError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const query = parsed.data;
  const qb = db.getRepository(Trace).createQueryBuilder('t').where('t.tenant_id = :tenantId', { tenantId });
  if (query.user) qb.andWhere('(t.user_email = :user OR t.user_id::text = :user)', { user: query.user.toLowerCase() });
  if (query.tool) qb.andWhere('(t.exposed_tool = :tool OR t.upstream_tool = :tool)', { tool: query.tool });
  if (query.server) qb.andWhere('t.server = :server', { server: query.server });
  if (query.profile) qb.andWhere('t.profile = :profile', { profile: query.profile });
  if (query.client) qb.andWhere('t.client_name = :client', { client: query.client });
  if (query.status) qb.andWhere('t.status = :status', { status: query.status });
  if (query.finding === 'any') qb.andWhere('t.scan IS NOT NULL');
  else if (query.finding) {
    qb.andWhere(
      `t.scan IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_array_elements(t.scan->'findings') f WHERE f->>'rule' = :finding OR f->>'category' = :finding)`,
      { finding: query.finding },
    );
  }
  if (query.since) qb.andWhere('t.created_at >= :since', { since: parseTimeBound(query.since) });
  if (query.until) qb.andWhere('t.created_at < :until', { until: parseTimeBound(query.until) });
  if (query.q) qb.andWhere('t.arguments::text ILIKE :q', { q: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
  if (query.cursor) {
    const cursor = decodeKeysetCursor(query.cursor);
    qb.andWhere('(t.created_at, t.id) < (:ct, :cid)', { ct: new Date(cursor.t), cid: cursor.id });
  }
  const rows = await qb
    .orderBy('t.created_at', 'DESC')
    .addOrderBy('t.id', 'DESC')
    .take(query.limit + 1)
    .getMany();
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(last) : null };
}
