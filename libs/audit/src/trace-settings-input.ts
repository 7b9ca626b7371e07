import ms from 'ms';
import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { saveTenantSettings, type SettingsChange } from '@gatehouse/tenancy';
import { PAYLOAD_MODES, TraceSettings } from './trace-settings.entity';

/** A tenant's `traces:` block in `gatehouse apply` YAML. */
export const traceSettingsInputSchema = z
  .object({
    /** How every tool's arguments and results are kept unless a rule says otherwise. */
    payloads: z.enum(PAYLOAD_MODES).default('full'),
    /** Payloads are purged from traces older than this (e.g. 90d); the call records stay. */
    retention: z
      .string()
      .transform((value, ctx) => {
        const parsed = ms(value as ms.StringValue);
        if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 60_000) {
          ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration of at least 1m (use e.g. 30d, 12h)` });
          return z.NEVER;
        }
        return Math.round(parsed / 1000);
      })
      .optional(),
    tools: z.array(z.object({ server: z.string().min(1), tool: z.string().min(1), payloads: z.enum(PAYLOAD_MODES) }).strict()).default([]),
  })
  .strict();
export type TraceSettingsInput = z.infer<typeof traceSettingsInputSchema>;

/** Saves the block; returns audit views of before and after. */
export function saveTraceSettings(manager: EntityManager, tenantId: string, input: TraceSettingsInput): Promise<SettingsChange> {
  const next = { payloads: input.payloads, toolRules: input.tools, retentionSeconds: input.retention ?? null };
  return saveTenantSettings(manager, TraceSettings, tenantId, next, (s) => s);
}
