import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const SCAN_CATEGORIES = ['injection', 'hidden-unicode', 'secret', 'exfiltration'] as const;
export type ScanCategory = (typeof SCAN_CATEGORIES)[number];
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The shipped rules file; a deployment may point `GATEHOUSE_SCANNER_RULES` at its own. */
export const DEFAULT_RULES_FILE = resolve(__dirname, '../rules/gatehouse.rules.yaml');

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'ids look like category.name'),
    category: z.enum(SCAN_CATEGORIES),
    severity: z.enum(SEVERITIES),
    description: z.string().min(1),
    on: z.enum(['raw', 'normalized']),
    /** Lower-case literals, one of which must occur for the pattern to be tried: a cheap pre-check. */
    keywords: z
      .array(
        z
          .string()
          .min(1)
          .refine((k) => k === k.toLowerCase(), 'keywords are lower case'),
      )
      .optional(),
    pattern: z.string().min(1),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'only the i, m, s and u flags')
      .default(''),
    ignore: z.string().optional(),
    unless: z.string().optional(),
    minEntropy: z.number().positive().optional(),
    /** The value must hold a run of at least `length` of these characters (a payload, not `?page=2&sort=asc`). */
    minRun: z.object({ length: z.number().int().positive(), chars: z.string().min(1) }).strict().optional(),
    examples: z.object({ match: z.array(z.string()).min(1), clean: z.array(z.string()).default([]) }).strict(),
  })
  .strict();
export type RuleDefinition = z.infer<typeof ruleSchema>;

const rulesFileSchema = z
  .object({
    version: z.union([z.string(), z.number()]).transform(String),
    allowHosts: z.array(z.string().min(1)).default([]),
    rules: z.array(ruleSchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  });

export interface CompiledRule extends RuleDefinition {
  regex: RegExp;
  /** The same pattern with group offsets (`d`), which V8 computes slowly: only for masking. */
  regexWithIndices: RegExp;
  ignoreRegex: RegExp | null;
  unlessRegex: RegExp | null;
  runRegex: RegExp | null;
}

export interface Ruleset {
  version: string;
  allowHosts: string[];
  rules: CompiledRule[];
}

/** Validates and compiles a rules document; any bad rule fails the whole set with its id and why. */
export function compileRuleset(document: unknown, source = 'rules'): Ruleset {
  const parsed = rulesFileSchema.safeParse(document);
  if (!parsed.success) {
    throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const compile = (rule: RuleDefinition, what: string, pattern: string, flags: string) => {
    try {
      // `u` only where a pattern names astral code points or properties: it makes V8's
      // case-insensitive matching several times slower.
      const unicode = flags.includes('u') || /\\[up]\{/.test(pattern) ? 'u' : '';
      return new RegExp(pattern, `${flags.replace('u', '')}g${unicode}`);
    } catch (error) {
      throw new Error(`${source}: rule ${rule.id}: bad ${what}: ${(error as Error).message}`);
    }
  };
  return {
    version: parsed.data.version,
    allowHosts: parsed.data.allowHosts.map((h) => h.toLowerCase()),
    rules: parsed.data.rules.map((rule) => ({
      ...rule,
      regex: compile(rule, 'pattern', rule.pattern, rule.flags),
      regexWithIndices: compile(rule, 'pattern', rule.pattern, `${rule.flags}d`),
      ignoreRegex: rule.ignore ? compile(rule, 'ignore', rule.ignore, '') : null,
      unlessRegex: rule.unless ? new RegExp(rule.unless, 'iu') : null,
      runRegex: rule.minRun ? compile(rule, 'minRun.chars', `[${rule.minRun.chars}]{${rule.minRun.length},}`, '') : null,
    })),
  };
}

export function loadRuleset(file = DEFAULT_RULES_FILE): Ruleset {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read scanner rules ${file}: ${(error as Error).message}`);
  }
  return compileRuleset(parse(text), file);
}
