import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TraceRecord, TraceWriterStats } from '@gatehouse/audit';
import type { DependencyHealth } from './dependency-health';

/** Prometheus metrics of one gateway process, in its own registry (no global state). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly calls = new Counter({
    name: 'gatehouse_tool_calls_total',
    help: 'Tool calls by tenant, profile, tool and outcome',
    labelNames: ['tenant', 'profile', 'tool', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'gatehouse_tool_call_duration_seconds',
    help: 'Tool call latency through the gateway',
    labelNames: ['tenant', 'profile'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  private readonly findings = new Counter({
    name: 'gatehouse_scanner_findings_total',
    help: 'Scanner findings by tenant, category and what was done (flagged or blocked)',
    labelNames: ['tenant', 'category', 'action'] as const,
    registers: [this.registry],
  });
  readonly legacySessions = new Gauge({
    name: 'gatehouse_legacy_sessions',
    help: 'Open 2025-era MCP sessions',
    registers: [this.registry],
  });

  constructor(traceStats: () => TraceWriterStats, dependencies: () => Promise<DependencyHealth>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
    const traces = new Gauge({
      name: 'gatehouse_traces',
      help: 'Trace pipeline counters (written, spooled, replayed, buffered)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        for (const [state, value] of Object.entries(traceStats())) traces.set({ state }, value);
      },
    });
    // Where an outage of a shared dependency shows (readiness stays up through it).
    const up = new Gauge({
      name: 'gatehouse_dependency_up',
      help: 'Whether a dependency answered its check at scrape time (1) or not (0)',
      labelNames: ['dependency'] as const,
      registers: [this.registry],
      async collect() {
        const health = await dependencies();
        up.set({ dependency: 'postgres' }, health.postgres === 'up' ? 1 : 0);
        up.set({ dependency: 'redis' }, health.redis === 'up' ? 1 : 0);
      },
    });
  }

  observeCall(trace: TraceRecord): void {
    this.calls.inc({ tenant: trace.tenantId, profile: trace.profile, tool: trace.exposedTool, status: trace.status });
    this.latency.observe({ tenant: trace.tenantId, profile: trace.profile }, trace.latencyMs / 1000);
    for (const finding of trace.scan?.findings ?? []) {
      this.findings.inc({ tenant: trace.tenantId, category: finding.category, action: trace.scan?.action ?? 'flagged' });
    }
  }
}
