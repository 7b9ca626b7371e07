import { describe, expect, it } from 'vitest';
import { RegExpParser, visitRegExpAST } from '@eslint-community/regexpp';
import { compileRuleset, loadRuleset } from './ruleset';
import { Scanner } from './scanner';

const ruleset = loadRuleset();
const scanner = new Scanner(ruleset);
const rulesHit = (text: string) => scanner.scan({ text }, 'result').findings.map((f) => f.rule);

describe('shipped scanner rules', () => {
  it('are versioned and cover every category', () => {
    expect(ruleset.version).toMatch(/^\d{4}\.\d{1,2}\.\d+$/);
    expect(new Set(ruleset.rules.map((r) => r.category))).toEqual(new Set(['injection', 'hidden-unicode', 'secret', 'exfiltration']));
  });

  describe.each(ruleset.rules.map((r) => [r.id, r] as const))('%s', (id, rule) => {
    it.each(rule.examples.match.map((t) => [t]))('matches %j', (text) => {
      expect(rulesHit(text)).toContain(id);
    });
    if (rule.examples.clean.length > 0) {
      it.each(rule.examples.clean.map((t) => [t]))('leaves %j alone', (text) => {
        expect(rulesHit(text)).not.toContain(id);
      });
    }
    // Rules run on every call: a quantifier without an upper bound lets one crafted string make a
    // pattern backtrack over the whole text from every position (ReDoS). Every repetition is
    // bounded, so the work per starting position is bounded too (bench:scanner measures it).
    it('bounds every repetition', () => {
      const ast = new RegExpParser({ ecmaVersion: 2025 }).parsePattern(rule.pattern, 0, rule.pattern.length, { unicode: true });
      const unbounded: string[] = [];
      visitRegExpAST(ast, {
        onQuantifierEnter: (q) => {
          if (q.max > 4096) unbounded.push(q.raw);
        },
      });
      expect(unbounded).toEqual([]);
    });
  });

  it('refuses a rules file with a broken pattern, naming the rule', () => {
    const bad = {
      version: '1',
      rules: [{ id: 'x.y', category: 'secret', severity: 'low', description: 'd', on: 'raw', pattern: '(', examples: { match: ['a'] } }],
    };
    expect(() => compileRuleset(bad, 'custom.yaml')).toThrow(/custom\.yaml: rule x\.y: bad pattern/);
  });

  it('refuses duplicate ids and unknown fields', () => {
    const rule = { id: 'x.y', category: 'secret', severity: 'low', description: 'd', on: 'raw', pattern: 'a', examples: { match: ['a'] } };
    expect(() => compileRuleset({ version: '1', rules: [rule, rule] })).toThrow(/duplicate rule id "x\.y"/);
    expect(() => compileRuleset({ version: '1', rules: [{ ...rule, action: 'block' }] })).toThrow(/Unrecognized key/);
  });
});
