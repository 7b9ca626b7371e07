import { createHash } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import type { PayloadMode, PayloadRule } from './trace-settings.entity';

/** What a trace row records about how its payloads were kept; null (older rows) means full. */
export type StoredPayloadMode = PayloadMode | 'purged';

/** A tenant's payload policy as the gateway applies it per call. */
export interface PayloadPolicy {
  default: PayloadMode;
  rules: PayloadRule[];
}

export const KEEP_ALL_PAYLOADS: PayloadPolicy = { default: 'full', rules: [] };

export function payloadModeFor(policy: PayloadPolicy, server: string | null, tool: string | null): PayloadMode {
  const rule = policy.rules.find((r) => r.server === server && r.tool === tool);
  return rule?.payloads ?? policy.default;
}

/**
 * A payload as a trace keeps it. `hashed` stores the SHA-256 of its canonical JSON (sorted keys),
 * so an auditor holding the original can prove what was sent without Gatehouse keeping it.
 */
export function keepPayload<T extends Record<string, unknown> | null>(
  value: T,
  mode: StoredPayloadMode | null | undefined,
): T | { sha256: string } | null {
  if (value === null || mode === 'full' || mode === null || mode === undefined) return value;
  if (mode === 'hashed') return { sha256: payloadHash(value) };
  return null;
}

export function payloadHash(value: unknown): string {
  return createHash('sha256')
    .update(stableStringify(value) ?? 'null')
    .digest('hex');
}
