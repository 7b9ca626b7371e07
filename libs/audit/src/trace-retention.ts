import type { DataSource } from 'typeorm';
import { SQL_SCAN_WITHOUT_EXCERPTS } from './trace-scan';

export interface RetentionPolicy {
  tenantId: string;
  retentionSeconds: number;
}

/** Tenants that purge payloads, and after how long. */
export async function retentionPolicies(db: DataSource): Promise<RetentionPolicy[]> {
  const rows: Array<{ tenant_id: string; retention_seconds: number }> = await db.query(
    `SELECT tenant_id, retention_seconds FROM trace_settings WHERE retention_seconds IS NOT NULL`,
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, retentionSeconds: r.retention_seconds }));
}

/**
 * Purges arguments and results from one tenant's traces older than its retention, in batches
 * (every gateway may run it; the UPDATE is idempotent). The records themselves stay: who called
 * what, when, with which outcome and latency.
 */
export async function purgeTracePayloads(db: DataSource, policy: RetentionPolicy, batchSize = 1000): Promise<number> {
  let purged = 0;
  for (;;) {
    const [rows] = (await db.query(
      `UPDATE traces SET arguments = NULL, result = NULL, payload_mode = 'purged', scan = ${SQL_SCAN_WITHOUT_EXCERPTS}
        WHERE id IN (SELECT id FROM traces WHERE tenant_id = $1 AND created_at < now() - make_interval(secs => $2)
                       AND payload_mode IS DISTINCT FROM 'purged' LIMIT $3)
        RETURNING id`,
      [policy.tenantId, policy.retentionSeconds, batchSize],
    )) as [unknown[], number];
    purged += rows.length;
    if (rows.length < batchSize) return purged;
  }
}
