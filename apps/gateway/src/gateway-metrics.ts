import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TraceRecord, TraceWriterStats } from '@gatehouse/audit';

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

  constructor(traceStats: () => TraceWriterStats) {
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
  }

  observeCall(trace: TraceRecord): void {
    this.calls.inc({ tenant: trace.tenantId, profile: trace.profile, tool: trace.exposedTool, status: trace.status });
    this.latency.observe({ tenant: trace.tenantId, profile: trace.profile }, trace.latencyMs / 1000);
    for (const finding of trace.scan?.findings ?? []) {
      this.findings.inc({ tenant: trace.tenantId, category: finding.category, action: trace.scan?.action ?? 'flagged' });
    }
  }
}
