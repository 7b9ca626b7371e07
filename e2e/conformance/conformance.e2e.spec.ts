import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { startConformanceServer } from '@gatehouse/conformance-server';
import type { RunningGateway } from '@gatehouse/gateway';
import { applyYaml, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { REPO_ROOT } from '../support/demo-tenant-yaml';

const run = promisify(execFile);

interface ConformanceReport {
  totals: { passed: number; failed: number; warnings: number };
  scenarios: Array<{ name: string; passed: number; failed: number; outcome: string }>;
}

/** Runs the official MCP conformance server suite (scripts/conformance.mjs, on Node 22) against a URL. */
async function conformance(url: string, headers: string[] = []): Promise<ConformanceReport> {
  const out = join(mkdtempSync(join(tmpdir(), 'conformance-')), 'report.json');
  const args = [join(REPO_ROOT, 'scripts/conformance.mjs'), '--url', url, '--json', out, ...headers.flatMap((h) => ['--header', h])];
  await run(process.execPath, args, { cwd: REPO_ROOT, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(readFileSync(out, 'utf8')) as ConformanceReport;
}

const TOOLS = [
  'test_simple_text', 'test_image_content', 'test_audio_content', 'test_embedded_resource', 'test_multiple_content_types',
  'test_tool_with_logging', 'test_tool_with_progress', 'test_error_handling', 'test_sampling', 'test_elicitation',
  'test_elicitation_sep1034_defaults', 'test_elicitation_sep1330_enums', 'test_reconnection', 'json_schema_2020_12_tool',
];

/**
 * Protocol fidelity: the same official suite, run against our conformance-complete upstream
 * directly and through the gateway (a profile exposing everything of it), must agree on every
 * scenario. The gateway runs with SSE polling after 50 ms (`GATEWAY_SSE_POLL_AFTER_MS`), so
 * every call slower than that is answered through a closed-and-resumed stream: the
 * `server-sse-polling` scenario checks exactly that, and every other scenario with a slow call
 * exercises it too.
 */
describe('MCP conformance suite through the gateway', () => {
  let db: DataSource;
  let upstream: { url: string; close(): Promise<void> };
  let gateway: RunningGateway;
  const tenant = uniqueSlug('conf');
  let token: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startConformanceServer({ port: 0, host: '127.0.0.1' });
    await applyYaml(db, `
tenants:
  - slug: ${tenant}
    name: Conformance
    servers: [{ name: conf, transport: http, url: "${upstream.url}" }]
    profiles:
      - slug: all
        tools: [${TOOLS.map((t) => `{ server: conf, tool: ${t}, approval: never }`).join(', ')}]
        resources: [conf]
        prompts: [conf]
    groups: [{ idpGroup: all, profiles: [all] }]
    users: [{ email: c@${tenant}.test, groups: [all] }]
`);
    token = await issueToken(db, tenant, `c@${tenant}.test`);
    gateway = await startTestGateway({ GATEWAY_SSE_POLL_AFTER_MS: '50' });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it('passes every check through the gateway that the upstream passes directly', async () => {
    const direct = await conformance(upstream.url);
    const proxied = await conformance(`${gateway.url}/mcp/${tenant}/all`, [`Authorization: Bearer ${token}`]);
    expect(direct.totals.failed).toBe(0);
    expect(proxied.totals.failed).toBe(0);
    const byName = new Map(proxied.scenarios.map((s) => [s.name, s]));
    for (const scenario of direct.scenarios) {
      expect({ scenario: scenario.name, passed: byName.get(scenario.name)?.passed }).toEqual({ scenario: scenario.name, passed: scenario.passed });
    }
    expect(proxied.totals).toEqual(direct.totals);
    process.stdout.write(`conformance: direct ${direct.totals.passed} passed / ${direct.totals.failed} failed; through the gateway ${proxied.totals.passed} passed / ${proxied.totals.failed} failed\n`);
  }, 900_000);
});
