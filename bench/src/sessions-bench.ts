// `npm run bench:sessions`: what idle 2025-era MCP sessions cost a gateway. Opens N sessions
// (initialize + notifications/initialized + one tools/list each, then nothing) against a gateway
// in its own process and reads its resident memory (VmRSS) before and after. (The demo upstream is
// stateless, so there is no direct figure to set beside it.)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchStage } from './stage';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
// The gateway collects its garbage on SIGUSR2 (scripts/gc-on-signal.cjs): RSS is read after a full
// collection, so it is what the sessions retain rather than garbage not yet collected.
const REPORT = join(mkdtempSync(join(tmpdir(), 'bench-sessions-')), 'memory.json');
const GC_ENV = {
  NODE_OPTIONS: `--expose-gc --require ${join(__dirname, '..', '..', 'scripts', 'gc-on-signal.cjs')}`,
  GC_REPORT_FILE: REPORT,
};
/** RSS and V8 heap in use (MB), read after the gateway settled and ran a full collection. */
const settle = async (pid: number): Promise<{ rss: number; heap: number }> => {
  await new Promise((r) => setTimeout(r, 1000));
  process.kill(pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 1000));
  const usage = JSON.parse(readFileSync(REPORT, 'utf8')) as { heapUsed: number };
  return { rss: rssMb(pid), heap: usage.heapUsed / 1024 / 1024 };
};

async function rpc(url: string, token: string | null, session: string | null, body: object): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(session ? { 'mcp-session-id': session } : {}),
    },
    body: JSON.stringify(body),
  });
  if (!response.ok && response.status !== 202) throw new Error(`${response.status}: ${await response.text()}`);
  await response.text();
  return response;
}

/** Opens one idle session: the handshake and one tools/list, nothing left open. */
async function openSession(url: string, token: string | null, i: number): Promise<void> {
  const init = await rpc(url, token, null, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: `idle-${i}`, version: '1' } },
  });
  const session = init.headers.get('mcp-session-id');
  if (!session) throw new Error('no session id');
  await rpc(url, token, session, { jsonrpc: '2.0', method: 'notifications/initialized' });
  await rpc(url, token, session, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
}

interface Row {
  label: string;
  before: { rss: number; heap: number };
  after: { rss: number; heap: number };
}

async function measure(label: string, url: string, token: string | null, pid: number): Promise<Row> {
  await openSession(url, token, -1); // warm every code path once
  const before = await settle(pid);
  for (let i = 0; i < SESSIONS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, SESSIONS - i) }, (_, k) => openSession(url, token, i + k)));
  }
  return { label, before, after: await settle(pid) };
}

async function main(): Promise<void> {
  const stage = await startBenchStage(
    (url) => `
tenants:
  - slug: bench
    name: Bench
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles: [{ slug: main, tools: [{ server: codehost, tool: list_repositories }] }]
    groups: [{ idpGroup: all, profiles: [main] }]
    users: [{ email: bench@bench.test, groups: [all] }]
`,
    GC_ENV,
  );
  try {
    const rows = [await measure('gateway', `${stage.gateway.url}/mcp/bench/main`, stage.token, stage.gateway.child.pid as number)];
    console.log(`${SESSIONS} idle 2025-era sessions (initialize, initialized, one tools/list each), after a full GC`);
    console.log('process     memory        before       after   per session');
    for (const r of rows) {
      for (const kind of ['rss', 'heap'] as const) {
        const per = ((r.after[kind] - r.before[kind]) * 1024) / SESSIONS;
        console.log(
          `${r.label.padEnd(11)} ${(kind === 'rss' ? 'RSS' : 'V8 heap used').padEnd(12)} ${r.before[kind].toFixed(1).padStart(7)} MB ${r.after[kind].toFixed(1).padStart(8)} MB ${per.toFixed(1).padStart(9)} KB`,
        );
      }
    }
  } finally {
    await stage.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
