import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { AdminAuditEntry } from './admin-audit-entry.entity';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';
import { parseTimeBound } from './trace-filter';

export const adminAuditQuerySchema = z.object({
  actor: z.string().optional(),
  action: z.string().optional(),
  targetType: z.string().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
});
export type AdminAuditQuery = z.input<typeof adminAuditQuerySchema>;

export interface AdminAuditPage {
  items: AdminAuditEntry[];
  nextCursor: string | null;
}

// created_at comes from Postgres' now() (microseconds) while cursors carry JS Dates (milliseconds):
// order and compare at millisecond precision so a page boundary never skips a row.
const MS_CREATED_AT = "date_trunc('milliseconds', a.created_at)";

/** The admin audit log of one tenant, newest first, keyset-paginated like traces. */
export async function searchAdminAudit(db: DataSource, tenantId: string, rawQuery: AdminAuditQuery): Promise<AdminAuditPage> {
  const parsed = adminAuditQuerySchema.safeParse(rawQuery);
  if (!parsed.success) {
    throw new GatehouseError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const query = parsed.data;
  const qb = db.getRepository(AdminAuditEntry).createQueryBuilder('a').where('a.tenant_id = :tenantId', { tenantId });
  if (query.actor) qb.andWhere('a.actor = :actor', { actor: query.actor });
  if (query.action) qb.andWhere('a.action = :action', { action: query.action });
  if (query.targetType) qb.andWhere('a.target_type = :targetType', { targetType: query.targetType });
  if (query.since) qb.andWhere('a.created_at >= :since', { since: parseTimeBound(query.since) });
  if (query.until) qb.andWhere('a.created_at < :until', { until: parseTimeBound(query.until) });
  if (query.cursor) {
    const cursor = decodeKeysetCursor(query.cursor);
    qb.andWhere(`(${MS_CREATED_AT}, a.id) < (:ct, :cid)`, { ct: new Date(cursor.t), cid: cursor.id });
  }
  const rows = await qb
    .orderBy(MS_CREATED_AT, 'DESC')
    .addOrderBy('a.id', 'DESC')
    .take(query.limit + 1)
    .getMany();
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(last) : null };
}
