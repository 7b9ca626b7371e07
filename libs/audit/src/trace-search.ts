import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { Trace } from './trace.entity';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';
import { parseTraceQuery, resolveTimeRange, traceFilterSchema, whereTraceFilter } from './trace-filter';

/** Filters shared by the CLI and `GET /api/tenants/{tenant}/traces`, plus one page's size and position. */
export const traceQuerySchema = traceFilterSchema.extend({
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

/**
 * Keyset pagination on (created_at, id) descending, always scoped to one tenant: stable under
 * concurrent inserts and fast at any depth, unlike OFFSET.
 */
export async function searchTraces(db: DataSource, tenantId: string, rawQuery: TraceQuery): Promise<TracePage> {
  const query = parseTraceQuery(traceQuerySchema, rawQuery);
  const qb = whereTraceFilter(db.getRepository(Trace).createQueryBuilder('t'), tenantId, query, resolveTimeRange(query));
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
