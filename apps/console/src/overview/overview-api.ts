/** The shape of GET /api/tenants/{tenant}/overview (libs/audit trace-overview.ts). */
export type OverviewWindow = '24h' | '7d';

export interface HourlySeries {
  keys: string[];
  hours: Array<{ hour: string; counts: Record<string, number> }>;
}

export interface Overview {
  window: OverviewWindow;
  from: string;
  to: string;
  total: number;
  byStatus: Record<string, number>;
  errorRate: number | null;
  latencyMs: { p50: number | null; p99: number | null };
  byTool: HourlySeries;
  byProfile: HourlySeries;
}

export const WINDOW_LABELS: Record<OverviewWindow, string> = { '24h': 'last 24 hours', '7d': 'last 7 days' };
