import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { tryRedisLock, type Logger } from '@gatehouse/core';
import { AdminAuditEntry, Trace } from '@gatehouse/audit';
import { Approval } from '@gatehouse/approvals';
import { ExportSettings } from './export-settings.entity';
import { TelemetryOutbox } from './telemetry-outbox.entity';
import { auditLogRecord, toolCallSpans } from './otlp-records';

export interface OutboxDispatcherOptions {
  /** How often each gateway looks for records to export. */
  intervalMs: number;
  batchSize: number;
  /** Resolves `${secret:NAME}` in export headers. */
  resolveHeaders: (tenantId: string, headers: Record<string, string>) => Promise<Record<string, string>>;
  /** Longest wait between attempts while a collector is down. */
  maxBackoffMs?: number;
}

const SECRET_REF = /\$\{secret:/;

/**
 * Sends the telemetry outbox to each tenant's OTLP/HTTP collector, oldest first, in batches,
 * with the official OpenTelemetry exporters. A batch leaves the outbox only once the collector
 * accepted it; while it is down, records wait (in Postgres) and the tenant is retried with
 * exponential backoff. One gateway at a time drains a tenant (a Redis lock), so records arrive in
 * order; a record re-sent after a crash carries the same span id / event id for the collector to
 * deduplicate. Runs beside the call path, never on it.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  private passes = 0;
  private readonly backoff = new Map<string, { until: number; delayMs: number }>();
  private readonly exporters = new Map<string, { traces: OTLPTraceExporter; logs: OTLPLogExporter }>();

  constructor(
    private readonly db: DataSource,
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly options: OutboxDispatcherOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.drainAll(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const { traces, logs } of this.exporters.values()) await Promise.all([traces.shutdown(), logs.shutdown()]).catch(() => undefined);
  }

  /** One pass over every tenant with records waiting (also what tests call). */
  async drainAll(): Promise<number> {
    if (this.draining) return 0;
    this.draining = true;
    let sent = 0;
    try {
      // Tenants that export and have records waiting: one index probe each, however long the
      // outbox grew while a collector was down (a DISTINCT over the outbox would read all of it).
      const tenants: Array<{ tenant_id: string }> = await this.db.query(
        `SELECT s.tenant_id FROM export_settings s WHERE EXISTS (SELECT 1 FROM telemetry_outbox o WHERE o.tenant_id = s.tenant_id)`,
      );
      // Records of tenants that stopped exporting leave with their settings.
      await this.db.query(
        `DELETE FROM telemetry_outbox o WHERE NOT EXISTS (SELECT 1 FROM export_settings s WHERE s.tenant_id = o.tenant_id)`,
      );
      for (const { tenant_id: tenantId } of tenants) {
        const wait = this.backoff.get(tenantId);
        if (wait && wait.until > Date.now()) continue;
        sent += await this.drainTenant(tenantId);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'telemetry export pass failed; retrying at the next one');
    } finally {
      this.draining = false;
    }
    return sent;
  }

  private async drainTenant(tenantId: string): Promise<number> {
    const release = await tryRedisLock(this.redis, `gatehouse:telemetry-lock:${tenantId}`, 60_000);
    if (!release) return 0;
    let sent = 0;
    try {
      // Read once per drain: the settings and the tenant's slug do not change between batches.
      const settings = await this.db.getRepository(ExportSettings).findOne({ where: { tenantId } });
      const [tenant] = (await this.db.query(`SELECT slug FROM tenants WHERE id = $1`, [tenantId])) as Array<{ slug: string }>;
      for (;;) {
        const batch = await this.db
          .getRepository(TelemetryOutbox)
          .find({ where: { tenantId }, order: { id: 'ASC' }, take: this.options.batchSize });
        if (batch.length === 0) break;
        const lastId = batch[batch.length - 1]?.id as string;
        if (settings) {
          const ok = await this.send(tenantId, tenant?.slug ?? tenantId, settings, batch);
          if (!ok) {
            this.retryLater(tenantId);
            break;
          }
          sent += batch.length;
        }
        // Sent, or export switched off since they were recorded: either way they leave the outbox.
        await this.db.query(`DELETE FROM telemetry_outbox WHERE tenant_id = $1 AND id <= $2`, [tenantId, lastId]);
        this.backoff.delete(tenantId);
        if (batch.length < this.options.batchSize) break;
      }
    } finally {
      await release();
    }
    return sent;
  }

  private async send(tenantId: string, tenantSlug: string, settings: ExportSettings, batch: TelemetryOutbox[]): Promise<boolean> {
    const traceIds = batch.filter((r) => r.kind === 'tool_call').map((r) => r.sourceId);
    const auditIds = batch.filter((r) => r.kind === 'audit').map((r) => r.sourceId);
    const [traces, audits] = await Promise.all([
      traceIds.length ? this.db.getRepository(Trace).find({ where: { tenantId, id: In(traceIds) } }) : [],
      auditIds.length ? this.db.getRepository(AdminAuditEntry).find({ where: { tenantId, id: In(auditIds) } }) : [],
    ]);
    const approvalIds = traces.flatMap((t) => (t.approvalId ? [t.approvalId] : []));
    const approvals = approvalIds.length ? await this.db.getRepository(Approval).find({ where: { tenantId, id: In(approvalIds) } }) : [];
    const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
    const traceById = byId(traces);
    const auditById = byId(audits);
    const approvalById = byId(approvals);
    // Outbox order, whatever order the rows came back in.
    const spans = batch.flatMap((row) => {
      const trace = row.kind === 'tool_call' ? traceById.get(row.sourceId) : undefined;
      if (!trace) return [];
      const approval = trace.approvalId ? (approvalById.get(trace.approvalId) ?? null) : null;
      return toolCallSpans(trace, { tenantSlug, payloads: settings.payloads, approval, sequence: Number(row.id) });
    });
    const logs = batch.flatMap((row) => {
      const entry = row.kind === 'audit' ? auditById.get(row.sourceId) : undefined;
      return entry ? [auditLogRecord(entry, tenantSlug, Number(row.id))] : [];
    });
    const exporters = await this.exportersFor(tenantId, settings);
    const results = await Promise.all([
      spans.length ? exportWith((cb) => exporters.traces.export(spans, cb)) : SUCCESS,
      logs.length ? exportWith((cb) => exporters.logs.export(logs, cb)) : SUCCESS,
    ]);
    const failed = results.find((r) => r.code !== ExportResultCode.SUCCESS);
    if (failed)
      this.logger.warn({ tenantId, err: failed.error, records: batch.length }, 'telemetry export failed; records stay in the outbox');
    return !failed;
  }

  private async exportersFor(tenantId: string, settings: ExportSettings) {
    const usesSecrets = Object.values(settings.headers).some((v) => SECRET_REF.test(v));
    const headers = usesSecrets ? await this.options.resolveHeaders(tenantId, settings.headers) : settings.headers;
    const key = `${tenantId}\0${settings.endpoint}\0${JSON.stringify(headers)}`;
    let exporters = this.exporters.get(key);
    if (!exporters) {
      for (const [k, old] of this.exporters)
        if (k.startsWith(`${tenantId}\0`)) void Promise.all([old.traces.shutdown(), old.logs.shutdown()]).catch(() => undefined);
      exporters = {
        traces: new OTLPTraceExporter({ url: `${settings.endpoint}/v1/traces`, headers, timeoutMillis: 10_000 }),
        logs: new OTLPLogExporter({ url: `${settings.endpoint}/v1/logs`, headers, timeoutMillis: 10_000 }),
      };
      for (const k of [...this.exporters.keys()]) if (k.startsWith(`${tenantId}\0`)) this.exporters.delete(k);
      this.exporters.set(key, exporters);
    }
    return exporters;
  }

  private retryLater(tenantId: string): void {
    const previous = this.backoff.get(tenantId)?.delayMs ?? this.options.intervalMs;
    const delayMs = Math.min(previous * 2, this.options.maxBackoffMs ?? 30_000);
    this.backoff.set(tenantId, { until: Date.now() + delayMs, delayMs });
  }
}

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };

function exportWith(run: (callback: (result: ExportResult) => void) => void): Promise<ExportResult> {
  return new Promise((resolve) => run(resolve));
}
