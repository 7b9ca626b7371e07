import ms from 'ms';
import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { saveTenantSettings, type SettingsChange } from '@gatehouse/tenancy';
import { ApprovalSettings, APPROVER_ROLES } from './approval-settings.entity';

const duration = z.string().transform((value, ctx) => {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 1000) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration of at least 1s (use e.g. 10m, 1h)` });
    return z.NEVER;
  }
  return Math.round(parsed / 1000);
});

/** A tenant's `approvals:` block in `gatehouse apply` YAML. */
export const approvalSettingsInputSchema = z
  .object({
    /** How long a held call waits for a decision (default 10m). */
    timeout: duration.default(600),
    /** Least role that may decide: approver (approvers and admins) or admin. */
    approvers: z.enum(APPROVER_ROLES).default('approver'),
    /** POSTed on every new held call, signed with HMAC-SHA256 of the body under `secret` (best a `${secret:NAME}` vault reference). */
    webhook: z
      .object({ url: z.url(), secret: z.string().min(16, 'use a secret of at least 16 characters') })
      .strict()
      .optional(),
  })
  .strict();
export type ApprovalSettingsInput = z.infer<typeof approvalSettingsInputSchema>;

/** Saves the block; returns audit views (the webhook secret only as "set"). */
export function saveApprovalSettings(manager: EntityManager, tenantId: string, input: ApprovalSettingsInput): Promise<SettingsChange> {
  const next = {
    timeoutSeconds: input.timeout,
    approverRole: input.approvers,
    webhookUrl: input.webhook?.url ?? null,
    webhookSecret: input.webhook?.secret ?? null,
  };
  return saveTenantSettings(manager, ApprovalSettings, tenantId, next, (s) => ({ ...s, webhookSecret: s.webhookSecret ? '[set]' : null }));
}
