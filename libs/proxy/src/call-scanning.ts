import { GatehouseError } from '@gatehouse/core';
import type { TraceScan } from '@gatehouse/audit';
export { mergeScans } from '@gatehouse/audit';
import type { Finding, ProfileScanPolicy, Scanner, ScanTarget } from '@gatehouse/scanner';

export interface ScanVerdict {
  /** What the trace records; null when nothing was found. */
  scan: TraceScan | null;
  /** The profile blocks and something was found. */
  blocked: boolean;
}

const CLEAN: ScanVerdict = { scan: null, blocked: false };

/** Scans one side of a call under the profile's policy. */
export function inspect(scanner: Scanner | undefined, policy: ProfileScanPolicy, value: unknown, target: ScanTarget): ScanVerdict {
  if (!scanner || policy.mode === 'off') return CLEAN;
  const outcome = scanner.scan(value, target, policy.options);
  if (outcome.findings.length === 0) return CLEAN;
  const blocked = policy.mode === 'block';
  return {
    blocked,
    scan: {
      ruleset: scanner.version,
      action: blocked ? 'blocked' : 'flagged',
      findings: outcome.findings,
      ...(outcome.truncated ? { truncated: true } : {}),
    },
  };
}

/** The error a client gets for a blocked call: which rules, where, and whether the tool ran. */
export function scanBlockedError(target: ScanTarget, tool: string, scan: TraceScan): GatehouseError {
  const rules = [...new Set(scan.findings.map((f) => `${f.rule} (at ${f.path})`))].slice(0, 5).join(', ');
  const message =
    target === 'arguments'
      ? `Gatehouse blocked this call of "${tool}": its arguments match scanner rules ${rules}. The tool was not called.`
      : `Gatehouse withheld the result of "${tool}": it matches scanner rules ${rules}. The tool did run; ask an admin to review the trace.`;
  return new GatehouseError('scanner_blocked', message, {
    in: target,
    findings: scan.findings.map((f: Finding | TraceScan['findings'][number]) => ({ rule: f.rule, category: f.category, path: f.path })),
  });
}
