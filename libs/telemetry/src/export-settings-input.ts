import { z } from 'zod';
import type { EntityManager } from 'typeorm';
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

export async function saveExportSettings(
  manager: EntityManager,
  tenantId: string,
  input: ExportSettingsInput,
): Promise<{ changed: boolean; before: object | null; after: object }> {
  const repo = manager.getRepository(ExportSettings);
  const existing = await repo.findOne({ where: { tenantId } });
  const next = {
    endpoint: input.otlp.endpoint.replace(/\/+$/, ''),
    headers: input.otlp.headers,
    events: input.events,
    payloads: input.payloads,
  };
  const view = (s: typeof next) => ({ endpoint: s.endpoint, headers: Object.keys(s.headers), events: s.events, payloads: s.payloads });
  const before = existing ? view(existing) : null;
  const changed =
    JSON.stringify(before) !== JSON.stringify(view(next)) || JSON.stringify(existing?.headers) !== JSON.stringify(next.headers);
  if (changed) await repo.save(repo.create({ tenantId, ...next }));
  return { changed, before, after: view(next) };
}
