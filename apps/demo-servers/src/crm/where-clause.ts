/**
 * A deliberately tiny WHERE-clause parser for the CRM demo's `sql_query` tool.
 *
 * This is a demo, not SQL: it understands only `column = 'value'`,
 * `column = 42` and `column LIKE '%text%'`, joined by AND. No OR, no
 * parentheses, no other operators. It exists so a gateway demo can show a
 * realistic-looking query tool (and argument pinning such as
 * `table: users`) without pulling a SQL engine into the product.
 */
import type { Row } from './crm-dataset';

export interface Condition {
  column: string;
  operator: '=' | 'LIKE';
  /** Compared against the cell's string form, so `id = 3` and `id = '3'` mean the same. */
  value: string;
}

export type WhereParseResult = { ok: true; conditions: Condition[] } | { ok: false; message: string };

const CONDITION =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:(=)\s*(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?))|\s(LIKE)\s+'((?:[^']|'')*)')\s*$/i;

/** Splits on AND keywords that sit outside single-quoted literals. */
function splitOnAnd(where: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inQuotes = false;
  for (let i = 0; i < where.length; i++) {
    const char = where[i];
    if (char === "'") inQuotes = !inQuotes;
    if (!inQuotes && /\sAND\s/i.test(where.slice(i, i + 5))) {
      parts.push(current);
      current = '';
      i += 4;
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}

export function parseWhereClause(where: string): WhereParseResult {
  if (where.trim() === '') return { ok: true, conditions: [] };
  const conditions: Condition[] = [];
  for (const part of splitOnAnd(where)) {
    const match = CONDITION.exec(part);
    if (match === null) {
      return {
        ok: false,
        message: `Cannot parse condition "${part.trim()}". Supported: column = 'value', column = 42, column LIKE '%text%', joined by AND.`,
      };
    }
    const [, column, equals, quoted, numeric, , likePattern] = match;
    conditions.push(
      equals === undefined
        ? { column, operator: 'LIKE', value: likePattern.replace(/''/g, "'") }
        : { column, operator: '=', value: quoted !== undefined ? quoted.replace(/''/g, "'") : numeric },
    );
  }
  return { ok: true, conditions };
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  // Case-insensitive like SQLite/MySQL defaults: friendlier for a demo typed by hand.
  return new RegExp(`^${body}$`, 'is');
}

export function rowMatches(row: Row, conditions: readonly Condition[]): boolean {
  return conditions.every((condition) => {
    const cell = String(row[condition.column]);
    return condition.operator === '=' ? cell === condition.value : likeToRegExp(condition.value).test(cell);
  });
}
