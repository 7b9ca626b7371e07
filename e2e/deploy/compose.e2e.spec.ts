/**
 * docker/compose.yaml without a Docker engine: valid against the official Compose Specification
 * JSON schema (the copy dclint ships, as Compose resolves the file: merge keys applied), no
 * findings from dclint's rules, and the wiring the product needs: migrate before the servers,
 * the console after the API, healthchecks, the master key as a file secret, the two published
 * ports (console and gateway) matching the images, the API reached through the console.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { appSettings, consoleSettings } from './support/app-settings';
import { effective, parseDockerfile } from './support/dockerfile';

const ROOT = join(__dirname, '../..');
const COMPOSE_FILE = join(ROOT, 'docker/compose.yaml');
const source = readFileSync(COMPOSE_FILE, 'utf8');
// Compose applies YAML merge keys (<<) before it validates.
const compose = parseYaml(source, { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file?: string }>;
  volumes: Record<string, unknown>;
};

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  secrets?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
}

function composeSchema(): object {
  // dclint ships the official schema (compose-spec/compose-spec schema/compose-spec.json) but does not export the path.
  const packageJson = createRequire(__filename).resolve('dclint/package.json');
  const schema = JSON.parse(readFileSync(join(dirname(packageJson), 'schemas/compose.schema.json'), 'utf8')) as Record<string, unknown>;
  expect(schema.title).toBe('Compose Specification');
  delete schema.$schema; // "https://json-schema.org/draft-07/schema" (no trailing #) is the draft-07 meta-schema Ajv has built in
  return schema;
}

/** Variables the file interpolates: ${NAME}, ${NAME:-default}, ${NAME:?error}. */
const variables = (text: string) => new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}/g)].map((m) => m[1]));

describe('docker/compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    const validate = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(composeSchema());
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('would catch a broken file: the schema check is not vacuous', () => {
    const validate = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(composeSchema());
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.api.depends_on = { migrate: { condition: 'service_finished' } };
    broken.services.gateway.restart_policy = 'always';
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/services/gateway', '/services/api/depends_on/migrate/condition']),
    );
  });

  it('has no findings from dclint (errors and style warnings)', async () => {
    const { DCLinter } = await import('dclint'); // ESM-only
    const [result] = new DCLinter({ rules: {}, exclude: [], debug: false, quiet: false }).lintFiles([COMPOSE_FILE], false);
    expect(result.messages.map((m: { line: number; rule: string; message: string }) => `${m.line}: ${m.rule}: ${m.message}`)).toEqual([]);
  });

  it('runs the whole product and nothing else: Postgres, Redis, the migration, the API, the gateway and the console', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'console', 'gateway', 'migrate', 'postgres', 'redis']);
    for (const name of ['postgres', 'redis']) expect(compose.services[name].image).toMatch(/^(postgres|redis):\d+(-[a-z]+)?$/);
  });

  it('starts the API and the gateway only after the migration succeeded and Postgres and Redis are healthy', () => {
    expect(compose.services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services.migrate.command).toEqual(['migrate']);
    for (const name of ['api', 'gateway'])
      expect(compose.services[name].depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    for (const name of ['postgres', 'redis', 'api', 'gateway', 'console'])
      expect(compose.services[name].healthcheck?.test.length, name).toBeGreaterThan(1);
  });

  it('starts the console once the API is healthy, and points its /api/* forwarder at the API on the compose network', () => {
    expect(compose.services.console.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(compose.services.console.environment?.API_URL).toBe(`http://api:${compose.services.api.environment?.API_PORT}`);
  });

  it('builds each Gatehouse service from its own target of docker/Dockerfile, with the command that target runs', () => {
    const { stages } = parseDockerfile();
    for (const name of ['migrate', 'api', 'gateway', 'console']) {
      const build = compose.services[name].build!;
      expect(resolve(dirname(COMPOSE_FILE), build.context)).toBe(ROOT);
      expect(build.dockerfile).toBe('docker/Dockerfile');
      const target = stages.find((s) => s.name === build.target);
      expect(target, build.target).toBeDefined();
      expect(build.target).toBe(name);
      expect(compose.services[name].command).toEqual(effective(target!).cmd);
    }
  });

  it('publishes exactly two ports, the console and the gateway, on loopback, at the ports the containers listen on', () => {
    const { stages } = parseDockerfile();
    const published = Object.entries(compose.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, p })));
    expect(published.map((x) => x.name).sort()).toEqual(['console', 'gateway']);
    for (const { name, p } of published) {
      const m = /^(?<address>[\d.]+):(?<host>\$\{[A-Z_]+:-\d+\}|\d+):(?<container>\d+)$/.exec(p);
      expect(m, p).not.toBeNull();
      const { address, container: containerPort } = m!.groups!;
      expect(address).toBe('127.0.0.1');
      const env = compose.services[name].environment!;
      const portVar = name === 'console' ? 'PORT' : 'GATEWAY_PORT';
      expect(env[portVar]).toBe(containerPort);
      expect(effective(stages.find((s) => s.name === name)!).expose).toEqual([Number(containerPort)]);
      // The console has no /readyz: it serves its pages (and a clear 502 for /api/*) without the API.
      expect(compose.services[name].healthcheck?.test).toEqual([
        'CMD',
        'node',
        'docker/healthcheck.mjs',
        name,
        name === 'console' ? '/healthz' : '/readyz',
      ]);
    }
    expect(compose.services.api.healthcheck?.test).toEqual(['CMD', 'node', 'docker/healthcheck.mjs', 'api', '/readyz']);
  });

  it('makes the console the API’s public origin: API_PUBLIC_URL defaults to the console’s published URL', () => {
    const hostPort = /^127\.0\.0\.1:\$\{CONSOLE_HOST_PORT:-(\d+)\}:\d+$/.exec(compose.services.console.ports![0])?.[1];
    expect(hostPort).toBeDefined();
    for (const name of ['migrate', 'api', 'gateway'])
      expect(compose.services[name].environment?.API_PUBLIC_URL, name).toBe(`\${API_PUBLIC_URL:-http://localhost:${hostPort}}`);
    const example = readFileSync(join(ROOT, 'docker/.env.example'), 'utf8');
    expect(example).toContain(`CONSOLE_HOST_PORT=${hostPort}\n`);
    expect(example).toContain(`API_PUBLIC_URL=http://localhost:${hostPort}\n`);
  });

  it('hands the vault master key to the servers as a file secret, and to nothing else', () => {
    expect(compose.secrets.gatehouse_master_key.file).toBe('./secrets/master.key');
    for (const [name, service] of Object.entries(compose.services)) {
      const env = service.environment ?? {};
      expect(env.GATEHOUSE_MASTER_KEY, name).toBeUndefined();
      if (name === 'api' || name === 'gateway') {
        expect(service.secrets).toEqual(['gatehouse_master_key']);
        expect(env.GATEHOUSE_MASTER_KEY_FILE).toBe('/run/secrets/gatehouse_master_key');
      } else expect(service.secrets, name).toBeUndefined();
    }
  });

  it('gives every Gatehouse container the same connections, a read-only root filesystem and no capabilities', () => {
    for (const name of ['migrate', 'api', 'gateway']) {
      const s = compose.services[name];
      expect(s.environment?.DATABASE_URL).toMatch(/^postgres:\/\/gatehouse:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/gatehouse$/);
      expect(s.environment?.REDIS_URL).toBe('redis://redis:6379');
    }
    for (const name of ['migrate', 'api', 'gateway', 'console']) {
      const s = compose.services[name];
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
      expect(s.security_opt).toContain('no-new-privileges:true');
    }
    // The console holds no connection and no secret: all it knows is where the API is.
    expect(Object.keys(compose.services.console.environment ?? {}).filter((v) => /DATABASE|REDIS|KEY|SECRET|PASSWORD/.test(v))).toEqual([]);
    expect(compose.services.console.volumes).toBeUndefined();
    // The only writable path the gateway needs (TRACE_SPOOL_DIR of the image) is a named volume.
    expect(compose.services.gateway.volumes).toEqual([
      `trace-spool:${effective(parseDockerfile().stages.find((s) => s.name === 'gateway')!).env.TRACE_SPOOL_DIR}`,
    ]);
  });

  it('sets only environment variables the apps read, in the services and in the images', () => {
    const known = appSettings();
    const image = (name: string) => effective(parseDockerfile().stages.find((s) => s.name === name)!).env;
    for (const name of ['migrate', 'api', 'gateway'])
      for (const variable of [...Object.keys(compose.services[name].environment ?? {}), ...Object.keys(image(name))])
        if (variable !== 'NODE_ENV') expect(known, `${name}: ${variable}`).toContain(variable);
    const consoleKnown = consoleSettings();
    expect(consoleKnown).toContain('API_URL');
    for (const variable of [...Object.keys(compose.services.console.environment ?? {}), ...Object.keys(image('console'))])
      expect(consoleKnown, `console: ${variable}`).toContain(variable);
  });

  it('documents every variable it reads in docker/.env.example', () => {
    const example = readFileSync(join(ROOT, 'docker/.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect([...variables(source)].filter((v) => !documented.has(v))).toEqual([]);
  });
});
