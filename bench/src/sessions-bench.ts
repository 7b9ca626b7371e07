// `npm run bench:sessions`: what idle 2025-era MCP sessions cost a gateway. Opens N sessions
// (initialize + notifications/initialized + one tools/list each, then nothing) against a gateway
// in its own process and reads its resident memory (VmRSS) before and after. (The demo upstream is
// stateless, so there is no direct figure to set beside it.)
import { readFileSync } from 'node:fs';
import { startBenchStage } from './stage';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const settle = () => new Promise((r) => setTimeout(r, 2000));

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

async function measure(label: string, url: string, token: string | null, pid: number): Promise<{ label: string; before: number; after: number }> {
  await openSession(url, token, -1); // warm every code path once
  await settle();
  const before = rssMb(pid);
  for (let i = 0; i < SESSIONS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, SESSIONS - i) }, (_, k) => openSession(url, token, i + k)));
  }
  await settle();
  return { label, before, after: rssMb(pid) };
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
  );
  try {
    const rows = [await measure('gateway', `${stage.gateway.url}/mcp/bench/main`, stage.token, stage.gateway.child.pid as number)];
    console.log(`${SESSIONS} idle 2025-era sessions (initialize, initialized, one tools/list each)`);
    console.log('process                          RSS before   RSS after   per session');
    for (const r of rows) {
      const per = ((r.after - r.before) * 1024) / SESSIONS;
      console.log(`${r.label.padEnd(32)} ${r.before.toFixed(1).padStart(7)} MB ${r.after.toFixed(1).padStart(8)} MB ${per.toFixed(1).padStart(9)} KB`);
    }
  } finally {
    await stage.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
