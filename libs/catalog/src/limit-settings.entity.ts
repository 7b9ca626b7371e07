import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { saveTenantSettings, type SettingsChange } from '@gatehouse/tenancy';

/** A rate: `count` calls per `periodMs`, allowed in a burst of up to `count` (a token bucket). */
export interface Rate {
  count: number;
  periodMs: number;
}

export interface ToolLimit {
  server: string;
  tool: string;
  /** Per user. */
  rate: Rate;
}

/** A tenant's call limits. A tenant without a row is unlimited. */
@Entity('limit_settings')
export class LimitSettings {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** All calls of the tenant together. */
  @Column({ name: 'tenant_rate', type: 'jsonb', nullable: true })
  tenantRate!: Rate | null;

  /** Each user's calls. */
  @Column({ name: 'user_rate', type: 'jsonb', nullable: true })
  userRate!: Rate | null;

  /** Each user's calls of one upstream tool (quotas on what is expensive or dangerous). */
  @Column({ name: 'tool_rates', type: 'jsonb', default: () => `'[]'` })
  toolRates!: ToolLimit[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

const UNITS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

/** "60/min", "5/h", "1000/day" → a Rate. */
export const rateSchema = z.string().transform((value, ctx): Rate => {
  const match = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/.exec(value);
  const periodMs = match ? UNITS[match[2] as string] : undefined;
  const count = match ? Number(match[1]) : 0;
  if (!periodMs || count < 1) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a rate like 60/min, 5/h or 1000/day` });
    return z.NEVER;
  }
  return { count, periodMs };
});

/** A tenant's `limits:` block in `gatehouse apply` YAML. */
export const limitSettingsInputSchema = z
  .object({
    tenant: rateSchema.optional(),
    user: rateSchema.optional(),
    tools: z.array(z.object({ server: z.string().min(1), tool: z.string().min(1), perUser: rateSchema }).strict()).default([]),
  })
  .strict();
export type LimitSettingsInput = z.infer<typeof limitSettingsInputSchema>;

export function saveLimitSettings(manager: EntityManager, tenantId: string, input: LimitSettingsInput): Promise<SettingsChange> {
  const next = {
    tenantRate: input.tenant ?? null,
    userRate: input.user ?? null,
    toolRates: input.tools.map((t) => ({ server: t.server, tool: t.tool, rate: t.perUser })),
  };
  return saveTenantSettings(manager, LimitSettings, tenantId, next, (s) => s);
}
