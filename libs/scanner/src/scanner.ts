import { jsonStrings, mapJsonStrings } from './json-strings';
import { decodeTagRun, normalizeText } from './normalize';
import type { CompiledRule, Ruleset, ScanCategory, Severity } from './ruleset';

export type ScanTarget = 'arguments' | 'result';

/** One rule that matched one string. Excerpts never carry a secret's value. */
export interface Finding {
  rule: string;
  category: ScanCategory;
  severity: Severity;
  in: ScanTarget;
  /** Where in the arguments or result: `body`, `content[0].text`. */
  path: string;
  excerpt: string;
}

export interface ScanOptions {
  /** Rule ids the tenant switched off. */
  disabled?: ReadonlySet<string>;
  /** Hosts the tenant trusts for images and links (`docs.acme.com`, `*.acme.com`). */
  allowHosts?: readonly string[];
}

export interface ScanOutcome {
  findings: Finding[];
  /** The value was larger than the scan budget; only its first part was scanned. */
  truncated: boolean;
}

interface Match {
  start: number;
  end: number;
  /** The sensitive part (the `value` group, or the whole match). */
  valueStart: number;
  valueEnd: number;
  value: string;
}

const MAX_FINDINGS = 50;
const EXCERPT_CHARS = 120;
const NON_ASCII = /[^\x00-\x7F]/;

/**
 * Runs a ruleset over every string of a tool call's arguments or result. Pure and synchronous:
 * regular expressions over text, no I/O, so it costs microseconds per kilobyte on the call path.
 */
export class Scanner {
  private readonly secretRules: CompiledRule[];

  constructor(
    readonly ruleset: Ruleset,
    /** Characters scanned per value at most; a larger value is scanned up to here and marked. */
    private readonly budgetChars = 1_000_000,
  ) {
    this.secretRules = ruleset.rules.filter((r) => r.category === 'secret');
  }

  get version(): string {
    return this.ruleset.version;
  }

  scan(value: unknown, target: ScanTarget, options: ScanOptions = {}): ScanOutcome {
    const findings: Finding[] = [];
    let budget = this.budgetChars;
    let truncated = false;
    const rules = options.disabled?.size ? this.ruleset.rules.filter((r) => !options.disabled?.has(r.id)) : this.ruleset.rules;
    for (const located of jsonStrings(value)) {
      if (budget <= 0 || findings.length >= MAX_FINDINGS) {
        truncated ||= budget <= 0;
        break;
      }
      const text = located.text.length > budget ? located.text.slice(0, budget) : located.text;
      truncated ||= text.length < located.text.length;
      budget -= text.length;
      this.scanText(text, rules, options, (rule, match, subject) => {
        if (findings.length < MAX_FINDINGS) {
          findings.push({
            rule: rule.id,
            category: rule.category,
            severity: rule.severity,
            in: target,
            path: located.path,
            excerpt: excerptOf(rule, subject, match),
          });
        }
      });
    }
    return { findings, truncated };
  }

  /** `value` with every secret a secret rule finds replaced by `[secret:<rule>]`; the same object when there is none. */
  mask<T>(value: T, options: ScanOptions = {}): T {
    const rules = this.secretRules.filter((r) => !options.disabled?.has(r.id));
    return mapJsonStrings(value, (text) => {
      const spans: Array<Match & { rule: string }> = [];
      for (const rule of rules) for (const m of matches(rule, text, this.ruleset, options, true)) spans.push({ ...m, rule: rule.id });
      if (spans.length === 0) return text;
      spans.sort((a, b) => a.valueStart - b.valueStart);
      let out = '';
      let at = 0;
      for (const span of spans) {
        if (span.valueStart < at) continue; // overlapping rules: the first one masks
        out += text.slice(at, span.valueStart) + `[secret:${span.rule}]`;
        at = span.valueEnd;
      }
      return out + text.slice(at);
    });
  }

  private scanText(
    raw: string,
    rules: CompiledRule[],
    options: ScanOptions,
    report: (rule: CompiledRule, match: Match, subject: string) => void,
  ): void {
    const ascii = !NON_ASCII.test(raw);
    let normalized: string | undefined;
    let rawLower: string | undefined;
    let normalizedLower: string | undefined;
    for (const rule of rules) {
      if (ascii && rule.category === 'hidden-unicode') continue;
      const subject = rule.on === 'raw' ? raw : (normalized ??= normalizeText(raw));
      if (rule.keywords) {
        const lower = rule.on === 'raw' ? (rawLower ??= raw.toLowerCase()) : (normalizedLower ??= subject.toLowerCase());
        if (!rule.keywords.some((k) => lower.includes(k))) continue;
      }
      const first = matches(rule, subject, this.ruleset, options).next();
      if (!first.done) report(rule, first.value, subject);
    }
  }
}

/**
 * A rule's matches in `text` that survive its ignore, unless, entropy and host checks. The rule's
 * compiled regex is reused (lastIndex reset): scanning is synchronous, so no two calls interleave.
 */
function* matches(rule: CompiledRule, input: string, ruleset: Ruleset, options: ScanOptions, withIndices = false): Generator<Match> {
  // Ignored spans are blanked (same length) so offsets still point into the original text.
  const text = rule.ignoreRegex ? input.replace(rule.ignoreRegex, (s) => ' '.repeat(s.length)) : input;
  const regex = withIndices ? rule.regexWithIndices : rule.regex;
  regex.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = regex.exec(text)) !== null) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      continue;
    }
    const value = m.groups?.value ?? m[0];
    if (rule.unlessRegex?.test(value)) continue;
    // With minRun, the longest qualifying run is the payload the entropy check looks at.
    const payload = rule.runRegex ? longestRun(value, rule.runRegex) : value;
    if (payload === null) continue;
    if (rule.minEntropy !== undefined && shannonEntropy(payload) < rule.minEntropy) continue;
    const host = m.groups?.host;
    if (host && hostAllowed(host, ruleset.allowHosts, options.allowHosts)) continue;
    const valueSpan = m.indices?.groups?.value ?? [m.index, m.index + m[0].length];
    const end = regex.lastIndex;
    yield { start: m.index, end: m.index + m[0].length, valueStart: valueSpan[0], valueEnd: valueSpan[1], value };
    regex.lastIndex = end;
  }
}

function longestRun(value: string, run: RegExp): string | null {
  let best: string | null = null;
  run.lastIndex = 0;
  for (const m of value.matchAll(run)) if (!best || m[0].length > best.length) best = m[0];
  return best;
}

export function hostAllowed(host: string, ...lists: Array<readonly string[] | undefined>): boolean {
  const h = host.toLowerCase();
  return lists.some((list) =>
    list?.some((entry) => {
      const e = entry.toLowerCase();
      return e.startsWith('*.') ? h === e.slice(2) || h.endsWith(e.slice(1)) : h === e;
    }),
  );
}

/** Bits per character: random tokens score high, words and repeated characters low. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  const length = [...counts.values()].reduce((a, b) => a + b, 0);
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** What a reviewer sees: the matched text, a secret reduced to its first characters, invisible characters spelled out. */
function excerptOf(rule: CompiledRule, subject: string, match: Match): string {
  const matched = subject.slice(match.start, match.end);
  if (rule.category === 'secret') {
    return `${match.value.slice(0, 4)}… (${match.value.length} characters)`;
  }
  if (rule.category === 'hidden-unicode') {
    const points = [...matched];
    const listed = points
      .slice(0, 8)
      .map((c) => `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`)
      .join(' ');
    const more = points.length > 8 ? ` … (${points.length} characters)` : '';
    const decoded = rule.id === 'unicode.tag-characters' ? decodeTagRun(matched) : '';
    return `${listed}${more}${decoded ? `; reads "${decoded.slice(0, EXCERPT_CHARS)}"` : ''}`;
  }
  return matched.length > EXCERPT_CHARS ? `${matched.slice(0, EXCERPT_CHARS)}…` : matched;
}
