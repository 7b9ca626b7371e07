// `npm run bench:scanner`: how well and how fast the shipped scanner rules work.
//  1. Detection on libs/scanner/corpus/attacks.jsonl and false positives on benign.jsonl. Both
//     corpora were written without sight of the rules, so the rates are not tuned to them.
//  2. Cost per scanned value at typical sizes, and the worst case: every rule against 256 KB of
//     text built to make it backtrack (its own match examples, cut short and repeated).
//  3. The same calls through one gateway, to a profile with scanning off and to one with `flag`,
//     alternated in one run: latency and gateway CPU per call side by side.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRuleset, Scanner, SCAN_CATEGORIES, type ScanOptions, type ScanTarget } from '@gatehouse/scanner';
import { ROOT } from './processes';
import { startBenchStage } from './stage';
import { runWorkload, type WorkloadResult } from './workload';

interface Sample {
  id: string;
  category?: string;
  kind?: string;
  where: ScanTarget;
  text: string;
  note?: string;
}

const corpus = (name: string): Sample[] =>
  readFileSync(join(ROOT, 'libs/scanner/corpus', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Sample);

// The benign corpus is written as the fictitious company "Northwind": its own hosts are what a
// tenant would list in scanning.allowHosts.
const options: ScanOptions = { allowHosts: ['*.northwind.example', 'northwind.example'] };
const ruleset = loadRuleset();
const scanner = new Scanner(ruleset);
const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

function detection(): void {
  const attacks = corpus('attacks.jsonl');
  const benign = corpus('benign.jsonl');
  console.log(`scanner rules ${ruleset.version}: ${ruleset.rules.length} rules`);
  console.log(`\n1. detection (attacks.jsonl, ${attacks.length} samples)`);
  console.log('category          samples  flagged  same-category');
  const misses: string[] = [];
  let flaggedAll = 0;
  for (const category of SCAN_CATEGORIES) {
    const samples = attacks.filter((s) => s.category === category);
    let flagged = 0;
    let same = 0;
    for (const sample of samples) {
      const findings = scanner.scan({ text: sample.text }, sample.where, options).findings;
      if (findings.length > 0) flagged++;
      else misses.push(sample.id);
      if (findings.some((f) => f.category === category)) same++;
    }
    flaggedAll += flagged;
    console.log(`${category.padEnd(17)} ${String(samples.length).padStart(7)}  ${pct(flagged, samples.length).padStart(7)}  ${pct(same, samples.length).padStart(13)}`);
  }
  console.log(`${'all'.padEnd(17)} ${String(attacks.length).padStart(7)}  ${pct(flaggedAll, attacks.length).padStart(7)}`);
  console.log(`missed: ${misses.join(' ') || 'none'}`);

  console.log(`\n2. false positives (benign.jsonl, ${benign.length} samples, ${benign.filter((s) => s.note?.startsWith('hard:')).length} of them hard negatives)`);
  const falsePositives = benign.flatMap((sample) => {
    const findings = scanner.scan({ text: sample.text }, sample.where, options).findings;
    return findings.length > 0 ? [{ sample, rules: [...new Set(findings.map((f) => f.rule))] }] : [];
  });
  const hard = falsePositives.filter((f) => f.sample.note?.startsWith('hard:')).length;
  console.log(`flagged: ${falsePositives.length} of ${benign.length} = ${pct(falsePositives.length, benign.length)} (hard negatives among them: ${hard})`);
  for (const fp of falsePositives) console.log(`  ${fp.sample.id} (${fp.sample.kind}): ${fp.rules.join(', ')}`);
}

function timeScan(value: unknown, target: ScanTarget, rounds: number): number {
  scanner.scan(value, target, options); // warm
  const started = performance.now();
  for (let i = 0; i < rounds; i++) scanner.scan(value, target, options);
  return ((performance.now() - started) * 1000) / rounds;
}

function cost(): void {
  const benign = corpus('benign.jsonl');
  const prose = benign.map((s) => s.text).join('\n');
  console.log('\n3. cost per scanned value (benign text, every rule)');
  console.log('size      µs/scan   MB/s');
  for (const size of [256, 1024, 10 * 1024, 100 * 1024, 1024 * 1024]) {
    let text = '';
    while (text.length < size) text += prose;
    const value = { content: [{ type: 'text', text: text.slice(0, size) }] };
    const us = timeScan(value, 'result', size >= 100 * 1024 ? 5 : 200);
    const label = size >= 1024 * 1024 ? `${size / 1024 / 1024} MB` : size >= 1024 ? `${size / 1024} KB` : `${size} B`;
    console.log(`${label.padEnd(9)} ${us.toFixed(1).padStart(8)} ${(size / us).toFixed(1).padStart(6)}`);
  }

  console.log('\n4. worst case: each rule on 256 KB of its own match examples, cut short and repeated');
  const worst = ruleset.rules
    .map((rule) => {
      const only = new Scanner({ ...ruleset, rules: [rule] });
      const seed = rule.examples.match.map((m) => m.slice(0, Math.max(1, m.length - 2))).join(' ');
      let text = '';
      while (text.length < 256 * 1024) text += `${seed} `;
      const started = performance.now();
      only.scan({ text: text.slice(0, 256 * 1024) }, 'result', options);
      return { id: rule.id, ms: performance.now() - started };
    })
    .sort((a, b) => b.ms - a.ms);
  for (const w of worst.slice(0, 5)) console.log(`  ${w.id.padEnd(38)} ${w.ms.toFixed(1)} ms`);
  console.log(`  all rules together: ${worst.reduce((a, w) => a + w.ms, 0).toFixed(1)} ms for 256 KB`);
}

async function throughGateway(): Promise<void> {
  const tools = '[{ server: codehost, tool: list_repositories }]';
  const stage = await startBenchStage(
    (url) => `
tenants:
  - slug: bench
    name: Bench
    scanning: { mode: flag, profiles: { plain: off } }
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles: [{ slug: plain, tools: ${tools} }, { slug: scanned, tools: ${tools} }]
    groups: [{ idpGroup: all, profiles: [plain, scanned] }]
    users: [{ email: bench@bench.test, groups: [all] }]
`,
  );
  const { gateway, token } = stage;
  try {
    const run = (profile: string) =>
      runWorkload({
        url: `${gateway.url}/mcp/bench/${profile}`,
        token,
        era: 'legacy',
        tool: 'list_repositories',
        args: {},
        concurrency: 1,
        calls: 400,
        warmup: 50,
        processes: { gateway: gateway.child.pid as number },
      });
    const results: Record<string, WorkloadResult[]> = { plain: [], scanned: [] };
    for (let round = 0; round < 3; round++) for (const profile of ['plain', 'scanned']) results[profile]?.push(await run(profile));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const p50 = (profile: string) => median((results[profile] ?? []).map((r) => r.p50));
    const cpu = (profile: string) => median((results[profile] ?? []).map((r) => r.cpuMsPerCall.gateway ?? 0));
    console.log('\n5. through the gateway: list_repositories, concurrency 1, 3 alternating rounds of 400 calls (medians)');
    console.log('scanning   p50 ms   gateway CPU ms/call');
    for (const profile of ['plain', 'scanned']) {
      console.log(`${(profile === 'plain' ? 'off' : 'flag').padEnd(9)} ${p50(profile).toFixed(3).padStart(7)}   ${cpu(profile).toFixed(3).padStart(8)}`);
    }
    console.log(`flag/off: p50 ${(p50('scanned') / p50('plain')).toFixed(3)}, gateway CPU ${(cpu('scanned') / cpu('plain')).toFixed(3)}`);
  } finally {
    await stage.close();
  }
}

detection();
cost();
throughGateway().catch((error) => {
  console.error(error);
  process.exit(1);
});
