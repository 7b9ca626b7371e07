import { describe, expect, it } from 'vitest';
import { parseWhereClause, rowMatches } from './where-clause';

describe('parseWhereClause', () => {
  it('parses equality and LIKE conditions joined by AND', () => {
    expect(parseWhereClause("plan = 'pro' AND email LIKE '%@example.com' and id = 4")).toEqual({
      ok: true,
      conditions: [
        { column: 'plan', operator: '=', value: 'pro' },
        { column: 'email', operator: 'LIKE', value: '%@example.com' },
        { column: 'id', operator: '=', value: '4' },
      ],
    });
  });

  it('keeps AND inside a quoted literal and unescapes doubled quotes', () => {
    expect(parseWhereClause("name = 'Rock AND Roll''s'")).toEqual({
      ok: true,
      conditions: [{ column: 'name', operator: '=', value: "Rock AND Roll's" }],
    });
  });

  it('treats an empty clause as no filter', () => {
    expect(parseWhereClause('  ')).toEqual({ ok: true, conditions: [] });
  });

  it.each(["plan = 'pro' OR plan = 'free'", 'plan > 3', "plan = 'unterminated", '1 = 1'])(
    'rejects unsupported syntax: %s',
    (where) => {
      const result = parseWhereClause(where);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/Cannot parse condition/);
    },
  );
});

describe('rowMatches', () => {
  const row = { id: 7, email: 'ada.lovelace@example.com', plan: 'pro' };

  it('matches equality against the string form of numbers', () => {
    expect(rowMatches(row, [{ column: 'id', operator: '=', value: '7' }])).toBe(true);
    expect(rowMatches(row, [{ column: 'id', operator: '=', value: '8' }])).toBe(false);
  });

  it('matches LIKE with % and _ wildcards, case-insensitively', () => {
    expect(rowMatches(row, [{ column: 'email', operator: 'LIKE', value: 'ADA.%' }])).toBe(true);
    expect(rowMatches(row, [{ column: 'plan', operator: 'LIKE', value: 'p_o' }])).toBe(true);
    expect(rowMatches(row, [{ column: 'email', operator: 'LIKE', value: '%.org' }])).toBe(false);
  });

  it('requires every condition to hold', () => {
    expect(
      rowMatches(row, [
        { column: 'plan', operator: '=', value: 'pro' },
        { column: 'email', operator: 'LIKE', value: '%grace%' },
      ]),
    ).toBe(false);
  });
});
