// `npm run bench:tokens`: tokens a client spends on `tools/list` for each demo profile, against
// listing every upstream tool of the tenant. The demo tenant's upstreams run on ephemeral ports;
// token counts are `toolListTokens` (@gatehouse/catalog, what the console's profile editor shows too)
// of the `tools/list` result as the SDK client receives it, all pages aggregated.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { createDataSource, dropDatabase, migrate } from '@gatehouse/database';
import { applyConfig, parseConfig, type ServerConfig } from '@gatehouse/config';
import { issuePersonalAccessToken } from '@gatehouse/identity';
import { Tenant, TenantScope, User } from '@gatehouse/tenancy';
import { toolListTokens } from '@gatehouse/catalog';
import { loadGatewayConfig, startGateway } from '@gatehouse/gateway';
import { startDemoHttpServer } from '@gatehouse/demo-servers';
import { ROOT } from './processes';
import { connect } from './workload';


async function listDirect(server: ServerConfig): Promise<unknown[]> {
  const client = new Client({ name: 'token-bench', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  const transport =
    server.transport === 'stdio'
      ? new StdioClientTransport({
          command: server.command === 'node' ? process.execPath : (server.command as string),
          args: server.args,
          cwd: ROOT,
          stderr: 'ignore',
        })
      : new StreamableHTTPClientTransport(new URL(server.url as string));
  await client.connect(transport);
  const { tools } = await client.listTools();
  await client.close();
  return tools;
}

async function main(): Promise<void> {
  const dbUrl = `postgres://postgres@127.0.0.1:5432/gatehouse_tokens_${randomBytes(4).toString('hex')}`;
  const upstreams = await Promise.all((['crm', 'codehost', 'kb'] as const).map((n) => startDemoHttpServer(n)));
  let yaml = readFileSync(join(ROOT, 'deploy/demo/gatehouse.demo.yaml'), 'utf8');
  ['9101', '9102', '9103'].forEach(
    (port, i) => (yaml = yaml.replace(`http://127.0.0.1:${port}/mcp`, (upstreams[i] as { url: string }).url)),
  );
  yaml = yaml.replace('node_modules/', join(ROOT, 'node_modules/'));
  const config = parseConfig(yaml, 'gatehouse.demo.yaml');
  const tenantConfig = config.tenants[0];
  if (!tenantConfig) throw new Error('demo config has no tenant');
  await migrate(dbUrl);
  const db = createDataSource({ url: dbUrl, poolSize: 2 });
  await db.initialize();
  const gateway = await startGateway(
    loadGatewayConfig({ DATABASE_URL: dbUrl, GATEWAY_PORT: '0', TRACE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'tokens-')) }),
    // The demo's crm server sends a vault secret; any value serves for listing tools.
    { logger: pino({ level: 'silent' }), secrets: async () => 'bench-placeholder-token' },
  );
  try {
    await applyConfig(db, config, { actor: 'bench' });
    const tenant = await db.getRepository(Tenant).findOneOrFail({ where: { slug: tenantConfig.slug } });
    const email = tenantConfig.users[0]?.email.toLowerCase() as string;
    const user = (await new TenantScope(db.manager, tenant.id).findOne(User, { email })) as User;
    const { token } = await issuePersonalAccessToken(db.manager, { tenantId: tenant.id, userId: user.id });

    const allTools = (await Promise.all(tenantConfig.servers.map(listDirect))).flat();
    const all = { count: allTools.length, tokens: await toolListTokens({ tools: allTools }) };
    const rows = [];
    for (const profile of tenantConfig.profiles) {
      const client = await connect(`${gateway.url}/mcp/${tenantConfig.slug}/${profile.slug}`, token, 'legacy');
      const result = await client.listTools();
      await client.close();
      const t = await toolListTokens(result);
      rows.push({
        profile: profile.slug,
        tools: result.tools.length,
        tokens: t,
        'all upstream tools': all.count,
        'all upstream tokens': all.tokens,
        'saving %': Math.round((1 - t / all.tokens) * 1000) / 10,
      });
    }
    console.log(`\ntools/list tokens per profile (o200k_base), tenant "${tenantConfig.slug}" of deploy/demo/gatehouse.demo.yaml\n`);
    console.table(rows);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/tokens.json'),
      JSON.stringify({ at: new Date().toISOString(), encoding: 'o200k_base', rows }, null, 2),
    );
  } finally {
    await gateway.close();
    await db.destroy();
    await Promise.all(upstreams.map((u) => u.close()));
    await dropDatabase(dbUrl).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
