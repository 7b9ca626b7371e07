import { performance } from 'node:perf_hooks';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { abortIsolatingFetch } from '@gatehouse/upstream';
import { cpuTimeMs } from './processes';

export interface WorkloadResult {
  calls: number;
  p50: number;
  p99: number;
  callsPerSecond: number;
  /** CPU milliseconds per measured call, per process taking part (client = this process). */
  cpuMsPerCall: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function connect(url: string, token: string | null, era: 'legacy' | 'modern'): Promise<Client> {
  const client = new Client(
    { name: 'gatehouse-bench', version: '1.0.0' },
    { versionNegotiation: era === 'modern' ? { mode: { pin: '2026-07-28' } } : { mode: 'legacy' } },
  );
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  // One long-lived session per caller makes thousands of requests: without per-request abort
  // signals, undici piles listeners onto the transport's shared one (see abort-isolating-fetch.ts).
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: abortIsolatingFetch() }));
  return client;
}

/**
 * `concurrency` callers, each with its own MCP session (as separate agents would have), share
 * `calls` calls of one tool; every call's latency is recorded. Bounded by count: it stops itself.
 */
export async function runWorkload(options: {
  url: string;
  token: string | null;
  era: 'legacy' | 'modern';
  tool: string;
  args: Record<string, unknown>;
  concurrency: number;
  calls: number;
  warmup: number;
  /** Other processes whose CPU time to attribute to the measured calls, by role. */
  processes: Record<string, number>;
}): Promise<WorkloadResult> {
  const clients = await Promise.all(Array.from({ length: options.concurrency }, () => connect(options.url, options.token, options.era)));
  const call = (client: Client) => client.callTool({ name: options.tool, arguments: options.args });
  for (let i = 0; i < options.warmup; i++) await call(clients[i % clients.length] as Client);
  const latencies: number[] = [];
  let next = 0;
  const roles: Record<string, number | 'self'> = { client: 'self', ...options.processes };
  const cpuBefore = Object.fromEntries(Object.entries(roles).map(([role, pid]) => [role, cpuTimeMs(pid)]));
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < options.calls) {
        next++;
        const t0 = performance.now();
        const result = await call(client);
        latencies.push(performance.now() - t0);
        if (result.isError) throw new Error(`bench call failed: ${JSON.stringify(result.content)}`);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuMsPerCall = Object.fromEntries(
    Object.entries(roles).map(([role, pid]) => [
      role,
      Math.round(((cpuTimeMs(pid) - (cpuBefore[role] as number)) / latencies.length) * 1000) / 1000,
    ]),
  );
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    callsPerSecond: latencies.length / elapsed,
    cpuMsPerCall,
  };
}
