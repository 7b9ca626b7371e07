import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createDataSource, dropDatabase, migrate } from '@gatehouse/database';
import { applyConfig, parseConfig } from '@gatehouse/config';
import { issuePersonalAccessToken } from '@gatehouse/identity';
import { Tenant, TenantScope, User } from '@gatehouse/tenancy';
import { startGatewayProcess, startUpstream, stopAll } from './processes';

/** What a benchmark runs against: a throw-away database, the demo code host, one gateway process. */
export interface BenchStage {
  upstream: { url: string; child: ChildProcess };
  gateway: { url: string; child: ChildProcess };
  /** A personal access token of bench@bench.test on tenant `bench`. */
  token: string;
  close(): Promise<void>;
}

/**
 * Creates and migrates a database, starts the code host, applies `tenantYaml(upstreamUrl)` (it must
 * declare tenant `bench` with user bench@bench.test), and starts a gateway in its own process.
 */
export async function startBenchStage(
  tenantYaml: (upstreamUrl: string) => string,
  gatewayEnv: Record<string, string> = {},
): Promise<BenchStage> {
  const dbUrl = `${process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432'}/gatehouse_bench_${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];
  const cleanups: Array<() => void> = [];
  const close = async () => {
    await stopAll(children);
    await dropDatabase(dbUrl).catch(() => undefined);
    for (const cleanup of cleanups) cleanup();
  };
  try {
    await migrate(dbUrl);
    const upstream = await startUpstream('codehost');
    children.push(upstream.child);
    const db = createDataSource({ url: dbUrl, poolSize: 2 });
    await db.initialize();
    try {
      await applyConfig(db, parseConfig(tenantYaml(upstream.url)), { actor: 'bench' });
      const tenant = await db.getRepository(Tenant).findOneOrFail({ where: { slug: 'bench' } });
      const user = await new TenantScope(db.manager, tenant.id).findOne(User, { email: 'bench@bench.test' });
      if (!user) throw new Error('the bench tenant must declare bench@bench.test');
      const { token } = await issuePersonalAccessToken(db.manager, { tenantId: tenant.id, userId: user.id });
      const spool = mkdtempSync(join(tmpdir(), 'bench-spool-'));
      cleanups.push(() => rmSync(spool, { recursive: true, force: true }));
      const gateway = await startGatewayProcess({ ...gatewayEnv, DATABASE_URL: dbUrl, TRACE_SPOOL_DIR: spool });
      children.push(gateway.child);
      return { upstream, gateway, token, close };
    } finally {
      await db.destroy();
    }
  } catch (error) {
    await close();
    throw error;
  }
}
