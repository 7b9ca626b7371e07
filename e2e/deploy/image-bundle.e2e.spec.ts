/**
 * What the images ship, built and started without Docker. The Dockerfile's own steps are replayed
 * into a temporary /app: its RUN lines that lay out the bundle (docker/bundle.mjs) and install
 * production dependencies (npm ci --omit=dev), read from the Dockerfile and run as written. Then
 * each target's ENTRYPOINT + CMD runs there with the image's ENV, like `docker run`: the migration
 * against a throw-away database it creates, then the API and the gateway, until /readyz answers
 * and the Dockerfile's HEALTHCHECK command passes; then `docker stop` (SIGTERM).
 *
 * The console the same way, in a second /app: the console-build stage's layout step
 * (docker/console-bundle.mjs) on the suite's `next build` output, then `node apps/console/server.js`
 * wired as compose wires it: API_URL is the API started here, whose API_PUBLIC_URL is the console.
 *
 * Needs the build (`npm test` runs it first; the console's is made if missing) and the local
 * Postgres and Redis.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureConsoleBuilt } from '../support/console-build';
import { copiesFrom, effective, parseDockerfile, runCommands, type Stage } from './support/dockerfile';

const ROOT = join(__dirname, '../..');
const exec = promisify(execFile);
const { stages } = parseDockerfile();
const stage = (name: string): Stage => stages.find((s) => s.name === name)!;

/** A RUN line of the Dockerfile, as a shell command here: the image's absolute paths mapped to ours. */
function dockerRun(command: string, paths: Record<string, string>): string {
  let out = command;
  for (const [from, to] of Object.entries(paths)) out = out.replaceAll(new RegExp(`(?<=\\s)${from}(?=/|\\s|$)`, 'g'), to);
  return out;
}

async function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await exec('sh', ['-c', command], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  /** Exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** `docker run` of a target: its ENTRYPOINT + CMD, in its WORKDIR (our /app), with its ENV plus ours. */
function runTarget(target: string, app: string, env: Record<string, string>): Started {
  const image = effective(stage(target));
  const [command, ...args] = [...(image.entrypoint ?? []), ...(image.cmd ?? [])];
  const child = spawn(command === 'node' ? process.execPath : command, args, {
    cwd: app,
    env: { PATH: process.env.PATH, HOME: app, ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit(signal ?? code)),
  );
  return { child, output: () => output, exited };
}

async function waitReady(url: string, started: Started, timeoutMs = 30_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null)
      throw new Error(`exited with ${started.child.exitCode} before ${url} answered:\n${started.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return res;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last}):\n${started.output()}`);
}

describe('the images’ bundles (servers and console), laid out by the Dockerfile’s steps and started like docker run', () => {
  const dbName = `gatehouse_bundle_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = inject('databaseUrl').replace(/\/[^/]+$/, `/${dbName}`);
  const redisUrl = inject('redisUrl');
  let app: string;
  let consoleApp: string;
  let env: Record<string, string>;
  let consoleEnv: Record<string, string>;
  const running: Started[] = [];
  const servers: Partial<Record<'api' | 'gateway' | 'console', Started>> = {};

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'apps/cli/dist/main.js'))) throw new Error('Build first: npm run build (npm test does).');
    app = mkdtempSync(join(tmpdir(), 'gatehouse-app-'));
    const paths = { '/manifests': app, '/bundle': app };
    // Stage "sources": the manifests; stage "prod-deps": npm ci --omit=dev in them; stage "build":
    // the bundle (the tsc step is the build this suite already has).
    for (const command of runCommands(stage('sources'))) await sh(dockerRun(command, paths), ROOT);
    for (const command of runCommands(stage('prod-deps'))) await sh(command, app, { ...process.env, npm_config_prefer_offline: 'true' });
    const layout = runCommands(stage('build'))
      .flatMap((c) => c.split('&&').map((part) => part.trim()))
      .filter((c) => c.startsWith('node docker/bundle.mjs'));
    expect(layout).toHaveLength(1);
    await sh(dockerRun(layout[0], paths), ROOT);

    // Stage "console-build": its `next build` is the build this suite reuses (made if missing), then
    // its layout step as written; the console target copies that folder and nothing else.
    ensureConsoleBuilt();
    consoleApp = mkdtempSync(join(tmpdir(), 'gatehouse-console-'));
    const consoleLayout = runCommands(stage('console-build'))
      .flatMap((c) => c.split('&&').map((part) => part.trim()))
      .filter((c) => c.includes('docker/console-bundle.mjs'));
    expect(consoleLayout).toHaveLength(1);
    expect(copiesFrom(stage('console'))).toEqual([{ from: 'console-build', args: '/console/ ./' }]);
    await sh(dockerRun(consoleLayout[0], { '/src': ROOT, '/console': consoleApp }), ROOT);

    const keyFile = join(app, 'master.key'); // a compose secret / Kubernetes Secret volume
    writeFileSync(keyFile, randomBytes(32).toString('base64'));
    const consolePort = String(await freePort());
    env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      GATEHOUSE_MASTER_KEY_FILE: keyFile,
      TRACE_SPOOL_DIR: join(app, 'spool'), // the image's volume
      API_PORT: String(await freePort()),
      GATEWAY_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      // As in compose: browsers reach the API through the console, so its public URL is the console's.
      API_PUBLIC_URL: `http://127.0.0.1:${consolePort}`,
    };
    // HOSTNAME: loopback here rather than the image's 0.0.0.0, so the test listens on this machine only.
    consoleEnv = { PORT: consolePort, HOSTNAME: '127.0.0.1', API_URL: `http://127.0.0.1:${env.API_PORT}` };
  }, 180_000);

  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    const admin = new pg.Client({ connectionString: databaseUrl.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    if (app) rmSync(app, { recursive: true, force: true });
    if (consoleApp) rmSync(consoleApp, { recursive: true, force: true });
  });

  it('ships built JavaScript and production dependencies only', () => {
    expect(existsSync(join(app, 'apps/cli/dist/main.js'))).toBe(true);
    expect(existsSync(join(app, 'docker/healthcheck.mjs'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'nx', 'eslint', '@swc/core', 'next', '@mantine/core'])
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    const files = (dir: string): string[] =>
      readdirSync(join(app, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
      );
    const code = ['apps', 'libs', 'bench', 'e2e'].flatMap((d) => files(d));
    expect(code.filter((f) => /\/src\/|\.ts$|tsconfig|\.tsbuildinfo$/.test(f))).toEqual([]);
    // Workspaces the CLI does not load (demo servers, conformance server, bench, e2e) ship their package.json alone.
    for (const dir of ['apps/demo-servers', 'apps/conformance-server', 'bench', 'e2e']) expect(files(dir)).toEqual([`${dir}/package.json`]);
  });

  it('runs the migrate target to completion: it creates the database and applies every migration', async () => {
    const migrate = runTarget('migrate', app, env);
    running.push(migrate);
    expect(await migrate.exited, migrate.output()).toBe(0);
    expect(migrate.output()).toMatch(/applied migrations: .*InitialSchema/);
  }, 60_000);

  it('starts the api and gateway targets until /readyz answers 200, and their HEALTHCHECK passes', async () => {
    const api = runTarget('api', app, env);
    const gateway = runTarget('gateway', app, env);
    running.push(api, gateway);
    Object.assign(servers, { api, gateway });
    const apiReady = await waitReady(`http://127.0.0.1:${env.API_PORT}/readyz`, api);
    expect(await apiReady.json()).toEqual({ status: 'ready' });
    const gatewayReady = await waitReady(`http://127.0.0.1:${env.GATEWAY_PORT}/readyz`, gateway);
    expect(await gatewayReady.json()).toMatchObject({ status: 'ready' });

    for (const target of ['api', 'gateway']) {
      const check = effective(stage(target)).healthcheck as string[];
      const [command, ...args] = check;
      const healthEnv = { PATH: process.env.PATH ?? '', ...effective(stage(target)).env, ...env };
      // As Docker runs it (in the container, same environment), and as compose runs it (/readyz).
      await expect(exec(command === 'node' ? process.execPath : command, args, { cwd: app, env: healthEnv })).resolves.toBeDefined();
      await expect(exec(process.execPath, [...args, '/readyz'], { cwd: app, env: healthEnv })).resolves.toBeDefined();
      // And it fails when nothing answers.
      const nothing = { ...healthEnv, API_PORT: String(await freePort()), GATEWAY_PORT: String(await freePort()) };
      await expect(exec(process.execPath, args, { cwd: app, env: nothing })).rejects.toMatchObject({ code: 1 });
    }
  }, 90_000);

  it('ships the console as its standalone server alone: no server code, no server packages, no sources', () => {
    expect(existsSync(join(consoleApp, 'apps/console/server.js'))).toBe(true);
    expect(existsSync(join(consoleApp, 'docker/healthcheck.mjs'))).toBe(true);
    expect(readdirSync(join(consoleApp, 'apps/console/.next/static')).length).toBeGreaterThan(0);
    expect(readdirSync(join(consoleApp, 'apps'))).toEqual(['console']);
    expect(existsSync(join(consoleApp, 'libs'))).toBe(false);
    for (const pkg of ['next', 'react', 'react-dom']) expect(existsSync(join(consoleApp, 'node_modules', pkg)), pkg).toBe(true);
    for (const pkg of ['@nestjs/core', 'pg', 'typeorm', 'bullmq', 'typescript', 'vitest', 'playwright-core'])
      expect(existsSync(join(consoleApp, 'node_modules', pkg)), pkg).toBe(false);
    expect(existsSync(join(consoleApp, 'apps/console/app')), 'page sources').toBe(false);
  });

  it('starts the console target: it serves its pages and assets, forwards /api/* and the OAuth metadata to the real API, and its HEALTHCHECK passes', async () => {
    const consoleServer = runTarget('console', consoleApp, consoleEnv);
    running.push(consoleServer);
    servers.console = consoleServer;
    const url = env.API_PUBLIC_URL;
    expect(await (await waitReady(`${url}/healthz`, consoleServer)).json()).toEqual({ status: 'ok' });

    const signin = await fetch(`${url}/signin`);
    expect(signin.status).toBe(200);
    const html = await signin.text();
    expect(html).toContain('<title>Gatehouse console</title>');
    // The static assets console-bundle.mjs put beside server.js are served.
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    expect(asset, 'a script of the page').toBeDefined();
    expect((await fetch(`${url}${asset}`)).status).toBe(200);

    // /api/* reaches the API started above (API_URL, read at run time): its own error, not the console's.
    const me = await fetch(`${url}/api/me`);
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: 'unauthorized' } });

    // A tenant applied with the CLI in the API image, as docker/README.md says; its OAuth
    // authorization server is found through the console, the API's public origin.
    const tenant = `bundle${randomBytes(3).toString('hex')}`;
    const config = join(app, 'tenant.yaml');
    writeFileSync(config, `tenants:\n  - slug: ${tenant}\n    name: Bundle test\n`);
    const cli = effective(stage('api')).entrypoint as string[];
    await exec(process.execPath, [...cli.slice(1), 'apply', '-f', config], {
      cwd: app,
      env: { PATH: process.env.PATH, ...effective(stage('api')).env, ...env },
    });
    const metadata = await fetch(`${url}/.well-known/oauth-authorization-server/api/oauth/${tenant}`);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({
      issuer: `${url}/api/oauth/${tenant}`,
      token_endpoint: `${url}/api/oauth/${tenant}/token`,
    });

    const check = effective(stage('console')).healthcheck as string[];
    const healthEnv = { PATH: process.env.PATH ?? '', ...effective(stage('console')).env, ...consoleEnv };
    await expect(exec(process.execPath, check.slice(1), { cwd: consoleApp, env: healthEnv })).resolves.toBeDefined();
    const nothing = { ...healthEnv, PORT: String(await freePort()) };
    await expect(exec(process.execPath, check.slice(1), { cwd: consoleApp, env: nothing })).rejects.toMatchObject({ code: 1 });
  }, 60_000);

  it("stops on SIGTERM well within docker stop's 10 s grace period", async () => {
    const { api, gateway, console: consoleServer } = servers as Required<typeof servers>;
    const started = Date.now();
    api.child.kill('SIGTERM');
    gateway.child.kill('SIGTERM');
    consoleServer.child.kill('SIGTERM');
    // Next's server closes and exits 143 (128 + SIGTERM), the status a container stopped by SIGTERM reports.
    expect([0, 143], consoleServer.output()).toContain(await consoleServer.exited);
    expect(await gateway.exited, gateway.output()).toBe(0);
    // The API closes, then NestJS's shutdown hook re-raises SIGTERM, so it ends by that signal (exit
    // status 143 in a container) rather than 0: reported, an app change. Never SIGKILL.
    expect([0, 'SIGTERM'], api.output()).toContain(await api.exited);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);
});
