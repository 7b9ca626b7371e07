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
