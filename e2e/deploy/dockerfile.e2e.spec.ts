/**
 * docker/Dockerfile and .dockerignore without a Docker engine: zero diagnostics from dockerfile-utils
 * (the linter of the VS Code Docker extension), with every check it has switched to error; then
 * what the images must be (pinned LTS base, non-root, a healthcheck, exec-form commands, one
 * install of production dependencies), and a build context that holds what the build needs and
 * never a secret.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { copiesFrom, effective, parseDockerfile, runCommands, type Stage } from './support/dockerfile';

const ROOT = join(__dirname, '../..');
const TARGETS = ['migrate', 'api', 'gateway'];
const SERVERS: Record<string, { port: string; portVar: string }> = {
  api: { port: '3001', portVar: 'API_PORT' },
  gateway: { port: '8080', portVar: 'GATEWAY_PORT' },
};

const { text, stages } = parseDockerfile();
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name} in docker/Dockerfile`);
  return found;
};
const rootOf = (s: Stage): Stage => (s.parent ? rootOf(s.parent) : s);

describe('docker/Dockerfile', () => {
  it('has no diagnostics from dockerfile-utils, with every check it can make set to error', () => {
    const strict = {
      deprecatedMaintainer: ValidationSeverity.ERROR,
      directiveCasing: ValidationSeverity.ERROR,
      emptyContinuationLine: ValidationSeverity.ERROR,
      instructionCasing: ValidationSeverity.ERROR,
      instructionCmdMultiple: ValidationSeverity.ERROR,
      instructionEntrypointMultiple: ValidationSeverity.ERROR,
      instructionHealthcheckMultiple: ValidationSeverity.ERROR,
      instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
      instructionWorkdirRelative: ValidationSeverity.ERROR,
    };
    const diagnostics = validate(text, strict).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(diagnostics).toEqual([]);
  });

  it('builds every stage on the official node image, pinned to an even (LTS) major on Debian slim', () => {
    for (const s of stages.filter((x) => !x.parent)) {
      const m = /^node:(\d+)-(bookworm|trixie)-slim$/.exec(s.from);
      expect(m, `${s.name}: FROM ${s.from}`).not.toBeNull();
      expect(Number(m![1]) % 2, `${s.from} is not an LTS line`).toBe(0);
      expect(Number(m![1])).toBeGreaterThanOrEqual(20);
    }
    // One base for all stages, so the builder and the runtime agree on Node and glibc.
    expect(new Set(stages.filter((x) => !x.parent).map((x) => x.from)).size).toBe(1);
  });

  it.each(TARGETS)('gives target %s a non-root user, an entrypoint and a command in exec form', (target) => {
    const image = effective(stage(target));
    expect(image.user).toBeDefined();
    expect(image.user).not.toMatch(/^(root|0)(:|$)/);
    // Declared in the target itself too, so a change to the shared stage cannot quietly make it root.
    expect(stage(target).steps.some((s) => s.keyword === 'USER')).toBe(true);
    expect(image.entrypoint).toEqual(['node', 'apps/cli/bin/gatehouse.js']);
    expect(image.cmd?.[0]).toBe(target === 'migrate' ? 'migrate' : 'start');
    expect(image.workdir).toBe('/app');
    expect(image.env.NODE_ENV).toBe('production');
  });

  it.each(Object.keys(SERVERS))(
    'gives %s a HEALTHCHECK run by node itself (no curl in slim), on the port it listens on and exposes',
    (target) => {
      const image = effective(stage(target));
      const { port, portVar } = SERVERS[target];
      expect(image.healthcheck).toEqual(['node', 'docker/healthcheck.mjs', target]);
      for (const flag of ['interval', 'timeout', 'start-period', 'retries']) expect(image.healthcheckFlags[flag], flag).toBeTruthy();
      expect(image.env[portVar]).toBe(port);
      expect(image.expose).toEqual([Number(port)]);
      expect(image.env[target === 'api' ? 'API_HOST' : 'GATEWAY_HOST']).toBe('0.0.0.0'); // the apps default to loopback
      expect(image.cmd).toEqual(['start', target]);
    },
  );

  it('switches the healthcheck off in the one-shot migrate target', () => {
    expect(effective(stage('migrate')).healthcheck).toBe('NONE');
    expect(effective(stage('migrate')).expose).toEqual([]);
  });

  it('puts the gateway last, so a build without --target gives a server', () => {
    expect(stages[stages.length - 1].name).toBe('gateway');
    for (const target of TARGETS) expect(rootOf(stage(target)).name).toBe('runtime');
  });

  it('installs production dependencies with npm ci --omit=dev and copies only built output into the runtime', () => {
    expect(runCommands(stage('prod-deps'))).toEqual(['npm ci --omit=dev --no-audit --no-fund']);
    expect(runCommands(stage('build')).join(' && ')).toContain('node docker/bundle.mjs app /bundle');
    expect(runCommands(stage('sources'))).toEqual(['node docker/bundle.mjs manifests /manifests']);
    expect(copiesFrom(stage('runtime'))).toEqual([
      { from: 'prod-deps', args: '/app/ ./' },
      { from: 'build', args: '/bundle/ ./' },
    ]);
    // Nothing in the runtime stage runs npm or copies sources from the build context.
    expect(runCommands(stage('runtime')).join(' ')).not.toMatch(/\bnpm\b/);
    for (const target of ['runtime', ...TARGETS]) expect(copiesFrom(stage(target)).every((c) => c.from !== null)).toBe(true);
  });

  it('gives the console target a non-root user, Next’s standalone server as its exec-form entrypoint, and a HEALTHCHECK by node', () => {
    const image = effective(stage('console'));
    expect(stage('console').steps.some((s) => s.keyword === 'USER')).toBe(true);
    expect(image.user).toBe('1000:1000');
    expect(image.workdir).toBe('/app');
    expect([...(image.entrypoint ?? []), ...(image.cmd ?? [])]).toEqual(['node', 'apps/console/server.js']);
    expect(image.env).toMatchObject({ NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PORT: '3000' });
    // Next's server binds to HOSTNAME, which Docker and Kubernetes set to the container's own name.
    expect(image.env.HOSTNAME).toBe('0.0.0.0');
    expect(image.expose).toEqual([3000]);
    expect(image.healthcheck).toEqual(['node', 'docker/healthcheck.mjs', 'console']);
    for (const flag of ['interval', 'timeout', 'start-period', 'retries']) expect(image.healthcheckFlags[flag], flag).toBeTruthy();
    // The API's address is a run-time setting (the /api/* forwarder reads it per request), never baked in.
    for (const s of [stage('console'), stage('console-build')]) expect(Object.keys(effective(s).env)).not.toContain('API_URL');
  });

  it('ships the console as the standalone build alone: built by next build and console-bundle.mjs, no npm in its runtime', () => {
    expect(rootOf(stage('console')).name).toBe('console'); // not the servers' runtime: none of their code or packages
    expect(stage('console').from).toBe(stage('runtime').from);
    expect(copiesFrom(stage('console'))).toEqual([{ from: 'console-build', args: '/console/ ./' }]);
    expect(runCommands(stage('console'))).toEqual([]);
    expect(stage('console-build').parent?.name).toBe('deps');
    expect(runCommands(stage('console-build'))).toEqual(['npx next build && node /src/docker/console-bundle.mjs /console']);
    expect(effective(stage('console-build')).workdir).toBe('/src/apps/console');
    // The servers' build and the console's share the one `npm ci` of every dependency.
    expect(stage('build').parent?.name).toBe('deps');
    expect(runCommands(stage('deps'))).toEqual(['npm ci --no-audit --no-fund']);
  });

  it('keeps secrets out of ENV and ARG', () => {
    for (const s of stages)
      for (const step of s.steps.filter((x) => x.keyword === 'ENV' || x.keyword === 'ARG'))
        expect(step.args, `${s.name} line ${step.line}`).not.toMatch(/KEY|SECRET|TOKEN|PASSWORD|DATABASE_URL|REDIS_URL/i);
  });
});

describe('.dockerignore', () => {
  const ignore = dockerignore({ ignorecase: false }).add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
  const included = (path: string) => !ignore.ignores(path);

  function walk(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (['node_modules', '.git', 'dist', '.nx'].includes(e.name)) return [];
      return e.isDirectory() ? walk(path) : [path];
    });
  }

  it('sends everything the image build needs', () => {
    const plan = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'docker/bundle.mjs'), 'plan'], { encoding: 'utf8' })) as {
      workspaces: Record<string, string>;
      packages: Record<string, string[]>;
    };
    const needed = ['package.json', 'package-lock.json', 'tsconfig.base.json', 'docker/bundle.mjs', 'docker/healthcheck.mjs'];
    for (const dir of Object.values(plan.workspaces)) needed.push(`${dir}/package.json`);
    // Sources and tsconfig of every package the CLI loads (tsc -b apps/cli compiles them in the build).
    for (const dir of Object.keys(plan.packages))
      for (const file of walk(dir).filter((f) => /\.ts$/.test(f) && !/\.spec\.ts$/.test(f))) needed.push(file);
    // And the files they ship from their source tree (data files, bin scripts): dist/ is built in the image.
    for (const [dir, files] of Object.entries(plan.packages))
      for (const file of files.filter((f) => !f.startsWith('dist/'))) needed.push(`${dir}/${file}`);
    // next build of the console: its pages, sources and configuration, and the script laying out its image.
    needed.push('docker/console-bundle.mjs', 'apps/console/next.config.mjs', 'apps/console/tsconfig.json', 'apps/console/next-env.d.ts');
    for (const dir of ['apps/console/app', 'apps/console/src']) needed.push(...walk(dir));
    expect(needed.length).toBeGreaterThan(50);
    expect(needed.filter((f) => !included(f))).toEqual([]);
  });

  it('never sends secrets, local state, installed or built output', () => {
    const never = [
      '.git/HEAD',
      '.env',
      'docker/.env',
      'docker/secrets/master.key',
      '.gatehouse/demo-master.key',
      'node_modules/pg/package.json',
      'apps/api/dist/index.js',
      'apps/console/.next/BUILD_ID',
      'apps/console/.next/standalone/apps/console/server.js',
      'libs/core/node_modules/x/index.js',
      'apps/gateway/.env',
      'e2e/support/test-idp.ts',
      'deploy/helm/gatehouse/values.yaml',
      'bench/results/latest.json',
      'libs/core/tsconfig.tsbuildinfo',
      'server.pem',
    ];
    expect(never.filter(included)).toEqual([]);
    // And whatever exists at the root today that the build does not need.
    const strays = readdirSync(ROOT).filter(
      (f) => !['package.json', 'package-lock.json', 'tsconfig.base.json', 'apps', 'libs', 'bench', 'e2e', 'docker'].includes(f),
    );
    expect(strays.filter((f) => existsSync(join(ROOT, f)) && included(relative(ROOT, join(ROOT, f))))).toEqual([]);
  });
});
