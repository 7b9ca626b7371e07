import { z } from 'zod';
import ms from 'ms';
import type { SelectQueryBuilder } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { Trace, TRACE_STATUSES } from './trace.entity';

/**
 * Which traces a search, an export or the CLI means: one schema and one WHERE builder, so a
 * download always holds exactly what the same filters show on screen.
 */
export const traceFilterSchema = z.object({
  user: z.string().optional(),
  tool: z.string().optional(),
  server: z.string().optional(),
  profile: z.string().optional(),
  client: z.string().optional(),
  status: z.enum(TRACE_STATUSES).optional(),
  /** From this time, inclusive: `1h`, `7d` (before now) or an ISO timestamp. */
  since: z.string().optional(),
  /** Before this time, exclusive; same forms as `since`. */
  until: z.string().optional(),
  /** Traces with a scanner finding: a rule id, a category, or `any`. */
  finding: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
});
export type TraceFilter = z.input<typeof traceFilterSchema>;
type ParsedTraceFilter = z.output<typeof traceFilterSchema>;

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** Parses query-string input against `schema`; a bad input is one `validation_failed` naming every bad field. */
export function parseTraceQuery<T extends z.ZodRawShape>(schema: z.ZodObject<T>, raw: unknown): z.output<z.ZodObject<T>> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new GatehouseError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

export interface TimeRange {
  since?: Date;
  until?: Date;
}

/** The time bounds of a filter, resolved once (relative forms against `now`), and checked to be a range. */
export function resolveTimeRange(filter: Pick<ParsedTraceFilter, 'since' | 'until'>, now = Date.now()): TimeRange {
  const since = filter.since ? parseTimeBound(filter.since, now) : undefined;
  const until = filter.until ? parseTimeBound(filter.until, now) : undefined;
  if (since && until && since.getTime() >= until.getTime()) {
    throw new GatehouseError('validation_failed', `since (${since.toISOString()}) must be before until (${until.toISOString()})`);
  }
  return { since, until };
}

/** Adds every filter to `qb` (alias `t`), always scoped to one tenant. */
export function whereTraceFilter(
  qb: SelectQueryBuilder<Trace>,
  tenantId: string,
  filter: ParsedTraceFilter,
  range: TimeRange,
): SelectQueryBuilder<Trace> {
  qb.where('t.tenant_id = :tenantId', { tenantId });
  // A user id or an e-mail address, never both: one plain column each, so the member index serves it.
  if (filter.user && USER_ID.test(filter.user)) qb.andWhere('t.user_id = :user', { user: filter.user.toLowerCase() });
  else if (filter.user) qb.andWhere('t.user_email = :user', { user: filter.user.toLowerCase() });
  if (filter.tool) qb.andWhere('(t.exposed_tool = :tool OR t.upstream_tool = :tool)', { tool: filter.tool });
  if (filter.server) qb.andWhere('t.server = :server', { server: filter.server });
  if (filter.profile) qb.andWhere('t.profile = :profile', { profile: filter.profile });
  if (filter.client) qb.andWhere('t.client_name = :client', { client: filter.client });
  if (filter.status) qb.andWhere('t.status = :status', { status: filter.status });
  if (filter.finding === 'any') qb.andWhere('t.scan IS NOT NULL');
  else if (filter.finding) {
    qb.andWhere(
      `t.scan IS NOT NULL AND EXISTS (SELECT 1 FROM jsonb_array_elements(t.scan->'findings') f WHERE f->>'rule' = :finding OR f->>'category' = :finding)`,
      { finding: filter.finding },
    );
  }
  if (range.since) qb.andWhere('t.created_at >= :since', { since: range.since });
  if (range.until) qb.andWhere('t.created_at < :until', { until: range.until });
  if (filter.q) qb.andWhere('t.arguments::text ILIKE :q', { q: `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
  return qb;
}
