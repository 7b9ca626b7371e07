// `npm run bench:approvals`: how long an approved call takes to run. For each of N held calls (the
// demo codehost's destructive `delete_repository`, through a real gateway, approved through the
// real API), it measures approve → upstream execution start (the approval row's executed_at −
// decided_at, both Postgres clocks) and approve request → result at the waiting client; and, as
// the side-by-side baseline, the same call with `approval: never`.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createDataSource, dropDatabase, migrate } from '@gatehouse/database';
import { applyConfig, parseConfig } from '@gatehouse/config';
import { issuePersonalAccessToken } from '@gatehouse/identity';
import { Tenant, TenantScope, User } from '@gatehouse/tenancy';
import { loadGatewayConfig, startGateway } from '@gatehouse/gateway';
import { loadApiConfig, startApi } from '@gatehouse/api';
import { startDemoHttpServer } from '@gatehouse/demo-servers';

const N = Number(process.env.BENCH_APPROVALS ?? 50);

const yaml = (url: string) => `
tenants:
  - slug: bench
    name: Bench
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles:
      - slug: held
        tools: [{ server: codehost, tool: delete_repository }]
      - slug: unheld
        tools: [{ server: codehost, tool: delete_repository, approval: never }]
    groups:
      - { idpGroup: devs, role: member, profiles: [held, unheld] }
      - { idpGroup: leads, role: approver, profiles: [held] }
    users:
      - { email: dev@bench.test, groups: [devs] }
      - { email: lead@bench.test, groups: [leads] }
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] as number;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms, p90 ${p90(xs).toFixed(1)} ms`;

async function main(): Promise<void> {
  const dbUrl = `postgres://postgres@127.0.0.1:5432/gatehouse_approvals_${randomBytes(4).toString('hex')}`;
  await migrate(dbUrl);
  const db = createDataSource({ url: dbUrl, poolSize: 2 });
  await db.initialize();
  const upstream = await startDemoHttpServer('codehost');
  await applyConfig(db, parseConfig(yaml(upstream.url), 'bench.yaml'), { actor: 'bench' });
  const tenant = await db.getRepository(Tenant).findOneByOrFail({ slug: 'bench' });
  const scope = new TenantScope(db.manager, tenant.id);
  const tokenFor = async (email: string) => (await issuePersonalAccessToken(db.manager, { tenantId: tenant.id, userId: (await scope.findOne(User, { email }))!.id })).token;
  const [dev, lead] = [await tokenFor('dev@bench.test'), await tokenFor('lead@bench.test')];
  const logger = pino({ level: 'silent' });
  // Defaults for every approval setting, so the numbers are what an installation gets.
  const gateway = await startGateway(loadGatewayConfig({ DATABASE_URL: dbUrl, GATEWAY_PORT: '0', TRACE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'approvals-')) }), { logger });
  const api = await startApi(loadApiConfig({ DATABASE_URL: dbUrl, API_PORT: '0', LOG_LEVEL: 'silent' }));
  const connect = async (profile: string) => {
    const client = new Client({ name: 'approval-bench', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp/bench/${profile}`), { requestInit: { headers: { Authorization: `Bearer ${dev}` } } }));
    return client;
  };
  try {
    const [held, unheld] = [await connect('held'), await connect('unheld')];
    const toExecution: number[] = [];
    const toResult: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < N; i++) {
      const started = performance.now();
      await unheld.callTool({ name: 'delete_repository', arguments: { name: `missing-${i}` } });
      direct.push(performance.now() - started);

      const call = held.callTool({ name: 'delete_repository', arguments: { name: `missing-${i}` } });
      let id: string | undefined;
      while (!id) {
        const rows: Array<{ id: string }> = await db.query(`SELECT id FROM approvals WHERE tenant_id = $1 AND status = 'pending' LIMIT 1`, [tenant.id]);
        id = rows[0]?.id;
        if (!id) await new Promise((r) => setTimeout(r, 2));
      }
      const approveAt = performance.now();
      const answer = await fetch(`${api.url}/api/tenants/bench/approvals/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${lead}`, 'content-type': 'application/json' }, body: '{}' });
      if (answer.status !== 200) throw new Error(`approve answered ${answer.status}: ${await answer.text()}`);
      await call;
      toResult.push(performance.now() - approveAt);
      const [row]: Array<{ ms: number }> = await db.query(`SELECT EXTRACT(EPOCH FROM (executed_at - decided_at)) * 1000 AS ms FROM approvals WHERE id = $1`, [id]);
      toExecution.push(Number(row!.ms));
    }
    const executions = upstream.stats().delete_repository ?? 0;
    process.stdout.write(
      [
        `approvals: ${N} held calls approved, upstream executions ${executions - N} (expected ${N}; the other ${N} are the unheld baseline)`,
        `approve -> upstream execution start:   ${fmt(toExecution)}`,
        `approve request -> result at client:   ${fmt(toResult)}`,
        `same call without approval (baseline): ${fmt(direct)}`,
        `ratio (approve->result) / (unheld call): ${(median(toResult) / median(direct)).toFixed(2)}`,
      ].join('\n') + '\n',
    );
    await held.close();
    await unheld.close();
  } finally {
    await api.close();
    await gateway.close();
    await upstream.close();
    await db.destroy();
    await dropDatabase(dbUrl);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
