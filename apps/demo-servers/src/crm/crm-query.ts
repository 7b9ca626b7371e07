/**
 * Runs one `sql_query` call against the in-memory dataset: resolves the table,
 * checks every referenced column exists, filters, limits. Errors are returned
 * as messages for the tool to surface with `isError`, never thrown.
 */
import { CRM_COLUMNS, type CrmDataset, isCrmTable, type Row } from './crm-dataset';
import { parseWhereClause, rowMatches } from './where-clause';

export interface CrmQuery {
  table: string;
  where?: string;
  limit: number;
}

export interface CrmQueryResult {
  table: string;
  rowCount: number;
  rows: Row[];
}

export type CrmQueryOutcome = { ok: true; result: CrmQueryResult } | { ok: false; message: string };

export function runCrmQuery(dataset: CrmDataset, query: CrmQuery): CrmQueryOutcome {
  if (!isCrmTable(query.table)) {
    return {
      ok: false,
      message: `Unknown table "${query.table}". Available tables: ${Object.keys(CRM_COLUMNS).join(', ')}.`,
    };
  }
  const parsed = parseWhereClause(query.where ?? '');
  if (!parsed.ok) return parsed;

  const columns: readonly string[] = CRM_COLUMNS[query.table];
  const unknown = parsed.conditions.find((condition) => !columns.includes(condition.column));
  if (unknown !== undefined) {
    return {
      ok: false,
      message: `Unknown column "${unknown.column}" in table "${query.table}". Columns: ${columns.join(', ')}.`,
    };
  }

  const rows = dataset
    .rows(query.table)
    .filter((row) => rowMatches(row, parsed.conditions))
    .slice(0, query.limit)
    .map((row) => ({ ...row }));
  return { ok: true, result: { table: query.table, rowCount: rows.length, rows } };
}
