// `npm run bench:export`: the OpenTelemetry export measured in one run. (1) The call path with
// export on vs off: the same workload through one gateway against two tenants that differ only
// in their `export:` block. (2) Export throughput: records/s from the outbox to an OTLP/HTTP
// receiver, and what the outbox trigger costs a trace insert. Loopback only; stops by itself.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { createDataSource, dropDatabase, migrate } from '@gatehouse/database';
import { applyConfig, parseConfig } from '@gatehouse/config';
import { issuePersonalAccessToken } from '@gatehouse/identity';
import { Tenant, TenantScope, User } from '@gatehouse/tenancy';
import { ROOT, startGatewayProcess, startUpstream } from './processes';
import { runWorkload, type WorkloadResult } from './workload';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const SYNTHETIC = Math.round(50_000 * scale);

/** Counts the spans an OTLP/HTTP (JSON) receiver is sent. */
async function startCountingReceiver(): Promise<{ url: string; spans: () => number; close: () => Promise<void> }> {
  let spans = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
        };
        for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The mean of several runs of one workload. */
function mean(runs: WorkloadResult[]): WorkloadResult {
  const avg = (pick: (r: WorkloadResult) => number) => runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
  const roles = Object.keys(runs[0]?.cpuMsPerCall ?? {});
  return {
    calls: runs[0]?.calls ?? 0,
    p50: avg((r) => r.p50),
    p99: avg((r) => r.p99),
    callsPerSecond: avg((r) => r.callsPerSecond),
    cpuMsPerCall: Object.fromEntries(roles.map((role) => [role, Math.round(avg((r) => r.cpuMsPerCall[role] ?? 0) * 1000) / 1000])),
  };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function main(): Promise<void> {
  const dbUrl = `${process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432'}/gatehouse_export_${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];
  const receiver = await startCountingReceiver();
  try {
    await migrate(dbUrl);
    const upstream = await startUpstream('codehost');
    children.push(upstream.child);
    const db = createDataSource({ url: dbUrl, poolSize: 2 });
    await db.initialize();
    const tenant = (slug: string, exportBlock: string) => `
  - slug: ${slug}
    name: ${slug}${exportBlock}
    servers: [{ name: codehost, transport: http, url: "${upstream.url}" }]
    profiles: [{ slug: main, tools: [{ server: codehost, tool: list_repositories }] }]
    groups: [{ idpGroup: all, profiles: [main] }]
    users: [{ email: bench@${slug}.test, groups: [all] }]`;
    await applyConfig(
      db,
      parseConfig(
        `tenants:${tenant('exp-off', '')}${tenant('exp-on', `\n    export: { otlp: { endpoint: "${receiver.url}" }, events: [tool_calls], payloads: hashed }`)}\n`,
      ),
      { actor: 'bench' },
    );
    const tokenFor = async (slug: string) => {
      const t = await db.getRepository(Tenant).findOneOrFail({ where: { slug } });
      const user = (await new TenantScope(db.manager, t.id).findOne(User, { email: `bench@${slug}.test` })) as User;
      return { tenantId: t.id, token: (await issuePersonalAccessToken(db.manager, { tenantId: t.id, userId: user.id })).token };
    };
    const off = await tokenFor('exp-off');
    const on = await tokenFor('exp-on');
    const gateway = await startGatewayProcess({
      DATABASE_URL: dbUrl,
      TRACE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'bench-spool-')),
      GATEWAY_EXPORT_INTERVAL_MS: '200',
    });
    children.push(gateway.child);

    // (1) The call path with export off and on, at c=1 and c=16.
    const rows: Array<{ export: string; concurrency: number } & WorkloadResult> = [];
    for (const run of [
      { concurrency: 1, calls: Math.round(1500 * scale), warmup: 150 },
      { concurrency: 16, calls: Math.round(6000 * scale), warmup: 160 },
    ]) {
      // off, on, off: the two "off" runs bracket the "on" run, so warm-up and drift favour neither.
      const measured: Record<'off' | 'on', WorkloadResult[]> = { off: [], on: [] };
      for (const [label, who] of [
        ['off', off],
        ['on', on],
        ['off', off],
      ] as const) {
        measured[label].push(
          await runWorkload({
            url: `${gateway.url}/mcp/exp-${label}/main`,
            token: who.token,
            era: 'legacy',
            tool: 'list_repositories',
            args: {},
            ...run,
            processes: { gateway: gateway.child.pid as number },
          }),
        );
      }
      for (const label of ['off', 'on'] as const) rows.push({ export: label, concurrency: run.concurrency, ...mean(measured[label]) });
    }
    const exportedCalls = rows.filter((r) => r.export === 'on').reduce((n, r) => n + r.calls, 0) + 150 + 160;
    // Each call is a root span plus its upstream child.
    const caughtUp = await waitFor(() => receiver.spans() >= exportedCalls * 2, 60_000);

    // (2) Throughput: synthetic finished traces straight into Postgres; the trigger fills the outbox.
    const insert = async (tenantId: string) => {
      const started = performance.now();
      await db.query(
        `INSERT INTO traces (id, tenant_id, created_at, profile, exposed_tool, server, upstream_tool, arguments, status, latency_ms)
         SELECT gen_random_uuid(), $1, now(), 'main', 'list_repositories', 'codehost', 'list_repositories', jsonb_build_object('n', g), 'ok', 1.5
           FROM generate_series(1, $2) g`,
        [tenantId, SYNTHETIC],
      );
      return performance.now() - started;
    };
    const insertOffMs = await insert(off.tenantId);
    const before = receiver.spans();
    const insertOnMs = await insert(on.tenantId);
    const drainStarted = performance.now();
    const drained = await waitFor(() => receiver.spans() >= before + SYNTHETIC, 300_000);
    const drainMs = performance.now() - drainStarted;
    await db.destroy();

    const find = (label: string, c: number) => rows.find((r) => r.export === label && r.concurrency === c) as WorkloadResult;
    const report = {
      at: new Date().toISOString(),
      node: process.version,
      callPath: rows.map((r) => ({
        export: r.export,
        concurrency: r.concurrency,
        calls: r.calls,
        p50: r.p50,
        p99: r.p99,
        callsPerSecond: r.callsPerSecond,
        gatewayCpuMsPerCall: r.cpuMsPerCall.gateway,
      })),
      addedP50MsAtC1: Math.round((find('on', 1).p50 - find('off', 1).p50) * 1000) / 1000,
      throughputRatioAtC16: Math.round((find('on', 16).callsPerSecond / find('off', 16).callsPerSecond) * 1000) / 1000,
      exportCaughtUpWithCalls: caughtUp,
      synthetic: {
        records: SYNTHETIC,
        drained,
        exportRecordsPerSecond: Math.round(SYNTHETIC / (drainMs / 1000)),
        insertMsPerThousandWithoutExport: Math.round((insertOffMs / SYNTHETIC) * 1000 * 100) / 100,
        insertMsPerThousandWithExport: Math.round((insertOnMs / SYNTHETIC) * 1000 * 100) / 100,
      },
    };
    console.log('\nGatehouse export benchmark (one gateway, two tenants differing only in export)\n');
    console.table(
      report.callPath.map((r) => ({ ...r, p50: r.p50.toFixed(3), p99: r.p99.toFixed(3), callsPerSecond: Math.round(r.callsPerSecond) })),
    );
    console.log(`added p50 at c=1 with export on:        ${report.addedP50MsAtC1} ms`);
    console.log(`throughput on/off at c=16:              ${report.throughputRatioAtC16}`);
    console.log(`export kept up with the calls:          ${caughtUp ? 'yes' : 'NO'}`);
    console.log(
      `export throughput (outbox -> receiver): ${report.synthetic.exportRecordsPerSecond} records/s over ${SYNTHETIC} traces${drained ? '' : '  <-- DID NOT DRAIN'}`,
    );
    console.log(
      `trace insert, per 1000 rows:            ${report.synthetic.insertMsPerThousandWithoutExport} ms without export, ${report.synthetic.insertMsPerThousandWithExport} ms with (the outbox trigger)`,
    );
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/export.json'), JSON.stringify(report, null, 2));
    if (!drained || !caughtUp) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await receiver.close();
    await new Promise((r) => setTimeout(r, 300));
    await dropDatabase(dbUrl).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
