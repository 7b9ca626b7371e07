import type { TraceScan } from './trace.entity';

/** Findings of the arguments and of the result, on one trace. */
export function mergeScans(first: TraceScan | null | undefined, second: TraceScan | null): TraceScan | null {
  if (!first) return second;
  if (!second) return first;
  return {
    ruleset: second.ruleset,
    action: first.action === 'blocked' || second.action === 'blocked' ? 'blocked' : 'flagged',
    findings: [...first.findings, ...second.findings],
    ...(first.truncated || second.truncated ? { truncated: true } : {}),
  };
}

/** The findings without their excerpts (which quote the payload), for traces that keep no full payload. */
export function withoutExcerpts(scan: TraceScan): TraceScan {
  return { ...scan, findings: scan.findings.map(({ excerpt: _excerpt, ...finding }) => finding) };
}

/** SQL that drops the excerpts from a `scan` column in place (retention purges). */
export const SQL_SCAN_WITHOUT_EXCERPTS = `CASE WHEN scan IS NULL THEN NULL ELSE jsonb_set(scan, '{findings}', COALESCE((SELECT jsonb_agg(f - 'excerpt') FROM jsonb_array_elements(scan->'findings') f), '[]'::jsonb)) END`;
