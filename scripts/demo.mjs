#!/usr/bin/env node
// `npm run demo`: install if needed, build, migrate, start the demo upstream servers, apply the
// demo tenant, start the API, the gateway and the console, and print endpoints, a token and
// client config. `npm run demo -- --smoke` does all of that, makes one real tool call through the
// gateway with the MCP SDK client, and exits (CI runs it to keep the README's first command true).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gatehouse',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  GATEWAY_PORT: process.env.GATEWAY_PORT ?? '8080',
  API_PORT: process.env.API_PORT ?? '3001',
  CONSOLE_PORT: process.env.CONSOLE_PORT ?? '3000',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  // The vault's master key: a demo key file made on first run (production: a KMS or a mounted secret).
  ...(process.env.GATEHOUSE_MASTER_KEY || process.env.GATEHOUSE_MASTER_KEY_FILE ? {} : { GATEHOUSE_MASTER_KEY_FILE: demoMasterKeyFile() }),
};
const children = [];

function demoMasterKeyFile() {
  const file = join(root, '.gatehouse/demo-master.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  return file;
}

function step(title) {
  process.stdout.write(`\n▸ ${title}\n`);
}
function run(cmd, args, opts = {}) {
  const stdin = opts.input === undefined ? 'ignore' : 'pipe';
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, env: opts.env ?? env, input: opts.input, stdio: opts.capture ? [stdin, 'pipe', 'inherit'] : [stdin, 'inherit', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return r.stdout ?? '';
}
function fail(message) {
  process.stderr.write(`\ndemo failed: ${message}\n`);
  shutdown(1);
}
function shutdown(code) {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 300).unref();
}
function startChild(name, args, childEnv = env) {
  const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  child.on('exit', (code, signal) => {
    if (!shuttingDown) fail(`${name} exited (${signal ?? code})`);
  });
  return child;
}
async function waitFor(url, what) {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`${what} did not become ready at ${url}`);
}
/** A standalone build of the console newer than every file of its sources and configuration. */
function consoleBuildIsCurrent() {
  const dir = join(root, 'apps/console');
  const built = join(dir, '.next/BUILD_ID');
  if (!existsSync(built) || !existsSync(join(dir, '.next/standalone/apps/console/server.js'))) return false;
  const newest = (path) =>
    statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry)))) : statSync(path).mtimeMs;
  const sources = ['app', 'src', 'next.config.mjs', 'package.json', 'tsconfig.json'].map((f) => join(dir, f)).filter(existsSync);
  return Math.max(...sources.map(newest), statSync(join(root, 'package-lock.json')).mtimeMs) < statSync(built).mtimeMs;
}
let shuttingDown = false;
process.on('SIGINT', () => {
  shuttingDown = true;
  process.stdout.write('\nstopping…\n');
  shutdown(0);
});

if (!existsSync(join(root, 'node_modules'))) {
  step('installing dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
step('building');
run('npx', ['tsc', '-b', 'tsconfig.build.json']);
// The console's production build takes a while, so it is redone only when its sources changed.
if (!consoleBuildIsCurrent()) {
  step('building the console (next build; again only when apps/console changes)');
  run('npx', ['next', 'build'], { cwd: join(root, 'apps/console'), env: { ...env, NEXT_TELEMETRY_DISABLED: '1' } });
}
// Its static assets beside Next's standalone server.js, as in the console image.
run(process.execPath, [join(root, 'docker/console-bundle.mjs')], { capture: true });
const cli = join(root, 'apps/cli/bin/gatehouse.js');
step(`migrating ${env.DATABASE_URL}`);
run(process.execPath, [cli, 'migrate']);

step('starting demo upstream servers (crm :9101, codehost :9102, kb :9103)');
const demoBin = join(root, 'apps/demo-servers/dist/bin/serve-http.js');
startChild('crm', [demoBin, 'crm', '--port', '9101']);
startChild('codehost', [demoBin, 'codehost', '--port', '9102']);
startChild('kb', [demoBin, 'kb', '--port', '9103']);
await Promise.all(['9101', '9102', '9103'].map((p) => waitFor(`http://127.0.0.1:${p}/healthz`, `demo server :${p}`)));

step('applying deploy/demo/gatehouse.demo.yaml');
run(process.execPath, [cli, 'apply', '-f', join(root, 'deploy/demo/gatehouse.demo.yaml')]);
step('storing the CRM API token in the vault (the crm server sends it as ${secret:crm-token})');
run(process.execPath, [cli, 'secret', 'set', '--tenant', 'acme', '--name', 'crm-token', '--description', 'CRM API token (demo)'], {
  input: `demo-crm-${randomBytes(12).toString('hex')}`,
});
const issue = (user) =>
  run(process.execPath, [cli, 'token', 'create', '--tenant', 'acme', '--user', user, '--expires', '30d', '--name', 'demo'], { capture: true })
    .trim()
    .split('\n')
    .pop();
const token = issue('demo@acme.example');
const leadToken = issue('lead@acme.example');

step('starting the gateway, the API and the console');
const gateway = `http://127.0.0.1:${env.GATEWAY_PORT}`;
const api = `http://127.0.0.1:${env.API_PORT}`;
const consoleUrl = `http://127.0.0.1:${env.CONSOLE_PORT}`;
// Browsers reach the API through the console's /api/*, so the API's public URL (SAML ACS and
// audience, OAuth issuer) is the console's, as in the compose file and the Helm chart.
env.API_PUBLIC_URL = process.env.API_PUBLIC_URL ?? consoleUrl;
startChild('gatehouse', [cli, 'start', 'all']);
// The console gets where the API is and where to listen, and nothing else of the demo's settings.
startChild('console', [join(root, 'apps/console/.next/standalone/apps/console/server.js')], {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  NEXT_TELEMETRY_DISABLED: '1',
  API_URL: api,
  PORT: env.CONSOLE_PORT,
  HOSTNAME: '127.0.0.1',
});
await waitFor(`${gateway}/readyz`, 'gateway');
await waitFor(`${api}/readyz`, 'api');
await waitFor(`${consoleUrl}/healthz`, 'console');

const endpoint = (profile) => `${gateway}/mcp/acme/${profile}`;
const auth = `Bearer ${token}`;
process.stdout.write(`
Gatehouse is running.

  Gateway   ${gateway}   (metrics ${gateway}/metrics)
  API       ${api}       (traces ${api}/api/tenants/acme/traces; also at ${consoleUrl}/api/…)
  Console   ${consoleUrl}   (tenant acme; sign-in needs a SAML IdP, see below)
  Profiles  ${endpoint('coding')}
            ${endpoint('support')}
  Token     ${token}
            (user demo@acme.example, 30 days; make more with: npx gatehouse token create --tenant acme --user demo@acme.example)

Console sign-in is SAML SSO only, and the demo tenant has no IdP. Give your IdP (Okta, Entra ID,
Keycloak, …) these service provider URLs, then add its metadata as \`sso: { metadataXml: … }\` under
acme in deploy/demo/gatehouse.demo.yaml and run \`npx gatehouse apply -f deploy/demo/gatehouse.demo.yaml\`:
  SP entity ID  ${env.API_PUBLIC_URL}/api/auth/saml/acme/metadata
  ACS (POST)    ${env.API_PUBLIC_URL}/api/auth/saml/acme/acs
Its users get roles from their groups: security (admin), eng-leads (approver), engineers or support-team (member).

Claude Code:
  claude mcp add --transport http gatehouse-coding ${endpoint('coding')} --header "Authorization: ${auth}"

Cursor (~/.cursor/mcp.json):
  { "mcpServers": { "gatehouse-support": { "url": "${endpoint('support')}", "headers": { "Authorization": "${auth}" } } } }

VS Code (.vscode/mcp.json):
  { "servers": { "gatehouse-coding": { "type": "http", "url": "${endpoint('coding')}", "headers": { "Authorization": "${auth}" } } } }

Traces:  npx gatehouse traces --tenant acme --since 1h

Approvals: delete_repository is held until an approver decides (lead@acme.example; token ${leadToken}):
  curl -H "Authorization: Bearer ${leadToken}" '${api}/api/tenants/acme/approvals?status=pending'
  curl -X POST -H "Authorization: Bearer ${leadToken}" -H 'content-type: application/json' -d '{"reason":"ok"}' ${api}/api/tenants/acme/approvals/ID/approve
`);

if (smoke) {
  step('smoke test: one tool call through the gateway with the MCP SDK client');
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const client = new Client({ name: 'demo-smoke', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(endpoint('support')), { requestInit: { headers: { Authorization: auth } } }));
  const { tools } = await client.listTools();
  const result = await client.callTool({ name: 'support_user_lookup', arguments: { where: "plan = 'enterprise'", limit: 1 } });
  await client.close();
  if (result.isError || tools.length === 0) fail(`smoke call failed: ${JSON.stringify(result)}`);
  process.stdout.write(`support tools: ${tools.map((t) => t.name).join(', ')}\ncall result: ${JSON.stringify(result.structuredContent ?? result.content).slice(0, 200)}\n`);

  step('smoke test: the console serves its sign-in page and the API under /api/*');
  const signin = await fetch(`${consoleUrl}/signin`);
  if (signin.status !== 200) fail(`the console answered /signin with ${signin.status}`);
  const me = await fetch(`${consoleUrl}/api/me`, { headers: { authorization: auth } });
  const who = me.status === 200 ? (await me.json()).user?.email : undefined;
  if (who !== 'demo@acme.example') fail(`GET ${consoleUrl}/api/me answered ${me.status}, not demo@acme.example`);
  const metadata = await fetch(`${consoleUrl}/.well-known/oauth-authorization-server/api/oauth/acme`);
  const issuer = metadata.status === 200 ? (await metadata.json()).issuer : undefined;
  if (issuer !== `${env.API_PUBLIC_URL}/api/oauth/acme`) fail(`the OAuth metadata through the console says issuer ${issuer} (HTTP ${metadata.status})`);
  process.stdout.write(`console: /signin 200, /api/me -> ${who}, OAuth issuer ${issuer}\n`);

  step('smoke test: a destructive call held for approval, approved by the lead, then run');
  const coding = new Client({ name: 'demo-smoke', version: '1.0.0' });
  await coding.connect(new StreamableHTTPClientTransport(new URL(endpoint('coding')), { requestInit: { headers: { Authorization: auth } } }));
  const held = coding.callTool({ name: 'delete_repository', arguments: { name: 'design-system' } });
  const lead = { authorization: `Bearer ${leadToken}`, 'content-type': 'application/json' };
  let pending;
  for (let i = 0; i < 100 && !pending; i++) {
    const list = await (await fetch(`${api}/api/tenants/acme/approvals?status=pending`, { headers: lead })).json();
    pending = list.items.find((a) => a.exposedTool === 'delete_repository');
    if (!pending) await new Promise((r) => setTimeout(r, 100));
  }
  if (!pending) fail('the delete_repository call was not held for approval');
  const decided = await fetch(`${api}/api/tenants/acme/approvals/${pending.id}/approve`, { method: 'POST', headers: lead, body: JSON.stringify({ reason: 'demo smoke test' }) });
  if (decided.status !== 200) fail(`approve answered ${decided.status}: ${await decided.text()}`);
  const deleted = await held;
  await coding.close();
  if (deleted.isError) fail(`approved call failed: ${JSON.stringify(deleted)}`);
  process.stdout.write(`approved by lead@acme.example; result: ${JSON.stringify(deleted.structuredContent ?? deleted.content).slice(0, 200)}\n`);
  run(process.execPath, [cli, 'traces', '--tenant', 'acme', '--since', '5m', '--limit', '3']);
  shuttingDown = true;
  shutdown(0);
} else {
  process.stdout.write('Press Ctrl-C to stop.\n');
}
