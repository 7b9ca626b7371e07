import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/** Starts a demo upstream in its own process; resolves with its URL (its first stdout line). */
export async function startUpstream(name: string, cpu?: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnNode([join(ROOT, 'apps/demo-servers/dist/bin/serve-http.js'), name, '--port', '0'], cpu, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', res);
    child.once('exit', (code) => rej(new Error(`upstream exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

export async function startGatewayProcess(env: Record<string, string>, cpu?: number): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of the gateway on exit (inspect with Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawnNode([...profile, join(ROOT, 'apps/cli/bin/gatehouse.js'), 'start', 'gateway'], cpu, {
    env: { ...process.env, ...env, GATEWAY_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('gateway did not become ready');
}

/** Starts node, pinned to one CPU with taskset when `cpu` is given (`exec` keeps the pid node's). */
function spawnNode(args: string[], cpu: number | undefined, options: SpawnOptions): ChildProcess {
  return cpu === undefined ? spawn(process.execPath, args, options) : spawn('taskset', ['-c', String(cpu), process.execPath, ...args], options);
}

/** Pins this process (the benchmark's MCP clients) to one CPU. */
export function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/** Peak resident set size of a process (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** CPU time (user + system) a process has used so far, in ms; `self` reads this process. */
export function cpuTimeMs(pid: number | 'self'): number {
  if (pid === 'self') {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
  // Fields 14 and 15 of /proc/PID/stat (after the parenthesised command) are utime and stime in clock ticks.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

// USER_HZ is 100 on every Linux architecture Node supports.
const CLOCK_TICKS_PER_SECOND = 100;

/** Stops the processes and waits until they exited (a gateway flushes its traces before it does). */
export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill();
        }),
    ),
  );
}
