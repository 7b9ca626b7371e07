import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { parseTraceQuery } from './trace-filter';

/**
 * The console overview's numbers, computed in Postgres over one window of a tenant's traces:
 * calls per hour by tool and by profile, calls per status, error rate and latency percentiles.
 * Hours are UTC buckets (date_trunc), every hour of the window present even when empty, so a
 * chart's x axis is the window and not only the hours that had calls.
 */
export const OVERVIEW_WINDOWS = { '24h': 24, '7d': 168 } as const;
export type OverviewWindow = keyof typeof OVERVIEW_WINDOWS;

export const overviewQuerySchema = z.object({
  window: z.enum(Object.keys(OVERVIEW_WINDOWS) as [OverviewWindow, ...OverviewWindow[]]).default('24h'),
});
export type OverviewQuery = z.input<typeof overviewQuerySchema>;

/** A chart series beyond this many tools or profiles would be unreadable: the rest add up to one `other`. */
export const OVERVIEW_TOP_SERIES = 8;
export const OTHER_SERIES = '(other)';

export interface HourlySeries {
  /** Series names, busiest first; `(other)` last when some were folded into it. */
  keys: string[];
  /** One entry per hour of the window, oldest first: `hour` (ISO, UTC) and a count per key. */
  hours: Array<{ hour: string; counts: Record<string, number> }>;
}

export interface TraceOverview {
  window: OverviewWindow;
  from: string;
  to: string;
  total: number;
  byStatus: Record<string, number>;
  /** Share of calls with status `error` (the upstream or the gateway failed the call); null without calls. */
  errorRate: number | null;
  /** Over calls that ran (`ok` or `error`): denied, blocked and held calls never reached an upstream. */
  latencyMs: { p50: number | null; p99: number | null };
  byTool: HourlySeries;
  byProfile: HourlySeries;
}

export interface OverviewScope {
  tenantId: string;
  /** Members see only their own calls (the trace search's rule). */
  onlyUserEmail?: string;
}

export async function traceOverview(
  db: DataSource,
  scope: OverviewScope,
  rawQuery: OverviewQuery,
  now = new Date(),
): Promise<TraceOverview> {
  const { window } = parseTraceQuery(overviewQuerySchema, rawQuery);
  const hours = OVERVIEW_WINDOWS[window];
  // Whole UTC hours: the current (partial) hour is the last bucket.
  const to = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
  const from = new Date(to.getTime() - hours * 3_600_000);
  const where = `tenant_id = $1 AND created_at >= $2 AND created_at < $3${scope.onlyUserEmail ? ' AND user_email = $4' : ''}`;
  const params: unknown[] = [scope.tenantId, from, to, ...(scope.onlyUserEmail ? [scope.onlyUserEmail.toLowerCase()] : [])];

  // Four small queries side by side rather than one with GROUPING SETS: measured on a million
  // traces, Postgres sorts for grouping sets (5 s) where it hashes each of these (2 s at most).
  const [totals, statuses, tools, profiles] = await Promise.all([
    db.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'error')::int AS errors,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status IN ('ok', 'error')) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status IN ('ok', 'error')) AS p99
         FROM traces WHERE ${where}`,
      params,
    ) as Promise<Array<{ total: number; errors: number; p50: number | null; p99: number | null }>>,
    db.query(`SELECT status, count(*)::int AS n FROM traces WHERE ${where} GROUP BY status`, params) as Promise<
      Array<{ status: string; n: number }>
    >,
    hourlyCounts(db, 'exposed_tool', where, params),
    hourlyCounts(db, 'profile', where, params),
  ]);
  const total = totals[0]?.total ?? 0;
  return {
    window,
    from: from.toISOString(),
    to: to.toISOString(),
    total,
    byStatus: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
    errorRate: total ? (totals[0]?.errors ?? 0) / total : null,
    latencyMs: { p50: totals[0]?.p50 ?? null, p99: totals[0]?.p99 ?? null },
    byTool: toSeries(tools, from, hours),
    byProfile: toSeries(profiles, from, hours),
  };
}

type HourlyRow = { hour: Date; key: string; n: number };

function hourlyCounts(db: DataSource, column: 'exposed_tool' | 'profile', where: string, params: unknown[]): Promise<HourlyRow[]> {
  return db.query(
    `SELECT date_trunc('hour', created_at, 'UTC') AS hour, ${column} AS key, count(*)::int AS n
       FROM traces WHERE ${where} GROUP BY 1, 2`,
    params,
  );
}

/** Rows (hour, key, n) → one entry per hour with a count per key; the busiest keys kept, the rest `(other)`. */
export function toSeries(rows: HourlyRow[], from: Date, hours: number): HourlySeries {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.key, (totals.get(r.key) ?? 0) + r.n);
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key]) => key);
  const kept = new Set(ranked.length > OVERVIEW_TOP_SERIES ? ranked.slice(0, OVERVIEW_TOP_SERIES - 1) : ranked);
  const keys = ranked.length > kept.size ? [...kept, OTHER_SERIES] : [...kept];
  const series = Array.from({ length: hours }, (_, i) => ({
    hour: new Date(from.getTime() + i * 3_600_000).toISOString(),
    counts: Object.fromEntries(keys.map((k) => [k, 0])) as Record<string, number>,
  }));
  for (const r of rows) {
    const bucket = series[Math.round((new Date(r.hour).getTime() - from.getTime()) / 3_600_000)];
    const key = kept.has(r.key) ? r.key : OTHER_SERIES;
    if (bucket) bucket.counts[key] = (bucket.counts[key] ?? 0) + r.n;
  }
  return { keys, hours: series };
}
