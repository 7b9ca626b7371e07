import type { Trace } from './trace.entity';

/**
 * Traces as CSV (RFC 4180) for spreadsheets. Every text cell is quoted, and one that starts with
 * a character a spreadsheet reads as a formula (= + - @, tab, CR) gets a leading apostrophe:
 * arguments and results are written by AI clients and upstream servers, and a cell like
 * `=HYPERLINK(...)` must stay text when an auditor opens the file (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** Column name → cell value. Payloads and scanner findings are JSON text in one cell each. */
const COLUMNS: Array<[string, (t: Trace) => string | number | boolean | null]> = [
  ['id', (t) => t.id],
  ['created_at', (t) => t.createdAt.toISOString()],
  ['status', (t) => t.status],
  ['user_email', (t) => t.userEmail],
  ['client_name', (t) => t.clientName],
  ['client_version', (t) => t.clientVersion],
  ['session_id', (t) => t.sessionId],
  ['profile', (t) => t.profile],
  ['exposed_tool', (t) => t.exposedTool],
  ['server', (t) => t.server],
  ['upstream_tool', (t) => t.upstreamTool],
  ['latency_ms', (t) => t.latencyMs],
  ['error_code', (t) => t.errorCode],
  ['error', (t) => t.error],
  ['approval_id', (t) => t.approvalId],
  ['payload_mode', (t) => t.payloadMode],
  ['arguments', (t) => json(t.arguments)],
  ['result', (t) => json(t.result)],
  ['result_truncated', (t) => t.resultTruncated],
  ['scan', (t) => json(t.scan)],
];

export const TRACE_CSV_HEADER = `${COLUMNS.map(([name]) => name).join(',')}\r\n`;

export function traceCsvRow(trace: Trace): string {
  return `${COLUMNS.map(([, cell]) => csvCell(cell(trace))).join(',')}\r\n`;
}
