import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';

/**
 * Environment for `spawnGateway`: `measureMemory` may collect garbage in the child first, and the
 * old space is capped at 192 MB (a few times what a gateway uses) so V8 collects as a server's
 * heap limit would make it, and a gateway that kept what it should not would die of it.
 */
export const MEMORY_PROBE_ENV = { NODE_OPTIONS: `--expose-gc --max-old-space-size=192 --require ${join(__dirname, '..', '..', '..', 'scripts', 'gc-on-signal.cjs')}` };

export interface MemorySample {
  /** V8 heap in use after a full collection, MB. */
  heapMb: number;
  /** Resident set now, and its peak since the last `resetPeak`, MB (Linux /proc). */
  rssMb: number;
  peakRssMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Memory of a gateway child process (started with MEMORY_PROBE_ENV), after a full GC. */
export async function measureMemory(gateway: { url: string; process: ChildProcess }): Promise<MemorySample> {
  for (let i = 0; i < 2; i++) {
    gateway.process.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 150));
  }
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const heap = Number(/^gatehouse_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(metrics)?.[1]);
  const status = readFileSync(`/proc/${gateway.process.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { heapMb: mb(heap), rssMb: mb(kb('VmRSS')), peakRssMb: mb(kb('VmHWM')) };
}

/** Starts a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM). */
export function resetPeak(gateway: { process: ChildProcess }): void {
  writeFileSync(`/proc/${gateway.process.pid}/clear_refs`, '5');
}
