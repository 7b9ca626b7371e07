import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { Tenant, TenantScope } from '@gatehouse/tenancy';
import { AccessToken } from '@gatehouse/identity';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';

const yaml = (slug: string, url: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles: [{ slug: coding-${slug}, tools: [{ server: codehost, tool: list_repositories }] }]
    groups: [{ idpGroup: devs, role: member, profiles: [coding-${slug}] }]
    users: [{ email: dev@${slug}.test, groups: [devs] }]
`;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `gatehouse` binary (built by `npm test`), as an operator runs it. */
async function gatehouse(...args: string[]): Promise<CliResult> {
  const cli = join(__dirname, '../../apps/cli/bin/gatehouse.js');
  const env = { ...process.env, DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl'), GATEHOUSE_ACTOR: 'cli-test' };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('CLI: a command scoped to one tenant never reads or changes another', () => {
  let db: DataSource;
  let upstream: DemoHttpServer;
  let gateway: RunningGateway;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(db, yaml(acme, upstream.url));
    await applyYaml(db, yaml(globex, upstream.url));
    gateway = await startTestGateway();
    for (const slug of [acme, globex]) {
      const client = await connectClient(gateway.url, slug, `coding-${slug}`, await issueToken(db, slug, `dev@${slug}.test`));
      await client.callTool({ name: 'list_repositories', arguments: { owner: slug } });
      await client.close();
    }
    await gateway.traces.flush();
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await db?.destroy();
  });

  const tokensOf = async (slug: string) => {
    const tenant = await db.getRepository(Tenant).findOneByOrFail({ slug });
    return new TenantScope(db.manager, tenant.id).find(AccessToken);
  };

  it("refuses to issue a token in one tenant for another tenant's user", async () => {
    const before = (await tokensOf(globex)).length;
    const result = await gatehouse('token', 'create', '--tenant', acme, '--user', `dev@${globex}.test`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Tenant "${acme}" has no user "dev@${globex}.test"`);
    expect(await tokensOf(globex)).toHaveLength(before);
    expect(await tokensOf(acme)).toHaveLength(1); // only the one the test issued
  });

  it("lists only the named tenant's traces, whatever the filters name", async () => {
    const own = await gatehouse('traces', '--tenant', acme, '--json');
    expect(own.code).toBe(0);
    const rows = own.stdout.trim().split('\n').map((line) => JSON.parse(line) as { userEmail: string; tenantId: string });
    expect(rows.map((r) => r.userEmail)).toEqual([`dev@${acme}.test`]);
    for (const filter of [['--user', `dev@${globex}.test`], ['--profile', `coding-${globex}`], ['-q', globex]]) {
      const foreign = await gatehouse('traces', '--tenant', acme, '--json', ...filter);
      expect(foreign.code, filter.join(' ')).toBe(0);
      expect(foreign.stdout, filter.join(' ')).toBe('');
    }
  });

  it('limits traces to a time range with --since and --until, and names a bad bound', async () => {
    const inRange = await gatehouse('traces', '--tenant', acme, '--json', '--since', '1h', '--until', new Date(Date.now() + 60_000).toISOString());
    expect(inRange.stdout.trim().split('\n')).toHaveLength(1);
    const before = await gatehouse('traces', '--tenant', acme, '--json', '--until', '1h');
    expect(before.code).toBe(0);
    expect(before.stdout).toBe('');
    const bad = await gatehouse('traces', '--tenant', acme, '--until', 'soon');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid time "soon"');
  });

  it("cannot approve drift in another tenant's profile", async () => {
    const result = await gatehouse('tools', 'approve', '--tenant', acme, '--profile', `coding-${globex}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Tenant "${acme}" has no profile "coding-${globex}"`);
  });
});
