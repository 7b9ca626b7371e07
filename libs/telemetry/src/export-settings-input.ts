import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { saveTenantSettings, type SettingsChange } from '@gatehouse/tenancy';
import { EXPORT_EVENTS, EXPORT_PAYLOADS, ExportSettings } from './export-settings.entity';

/** A tenant's `export:` block in `gatehouse apply` YAML. */
export const exportSettingsInputSchema = z
  .object({
    otlp: z
      .object({
        /** Base URL of an OTLP/HTTP receiver, e.g. http://otel-collector:4318 */
        endpoint: z.url(),
        headers: z.record(z.string(), z.string()).default({}),
      })
      .strict(),
    events: z.array(z.enum(EXPORT_EVENTS)).min(1).default(['tool_calls', 'audit']),
    payloads: z.enum(EXPORT_PAYLOADS).default('none'),
  })
  .strict();
export type ExportSettingsInput = z.infer<typeof exportSettingsInputSchema>;

/** Saves the block; the audit log shows header names only (their values may be credentials). */
export function saveExportSettings(manager: EntityManager, tenantId: string, input: ExportSettingsInput): Promise<SettingsChange> {
  const next = {
    endpoint: input.otlp.endpoint.replace(/\/+$/, ''),
    headers: input.otlp.headers,
    events: input.events,
    payloads: input.payloads,
  };
  return saveTenantSettings(manager, ExportSettings, tenantId, next, (s) => ({ ...s, headers: Object.keys(s.headers) }));
}
