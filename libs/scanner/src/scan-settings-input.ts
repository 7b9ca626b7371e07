import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { SCAN_MODES, ScanSettings, type ScanMode } from './scan-settings.entity';
import type { ScanOptions } from './scanner';

const hostPattern = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/i;

/** A tenant's `scanning:` block in `gatehouse apply` YAML. */
export const scanSettingsInputSchema = z
  .object({
    mode: z.enum(SCAN_MODES).default('flag'),
    profiles: z.record(z.string().min(1), z.enum(SCAN_MODES)).default({}),
    allowHosts: z.array(z.string().regex(hostPattern, 'a host name like docs.acme.com or *.acme.com')).default([]),
    disable: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type ScanSettingsInput = z.infer<typeof scanSettingsInputSchema>;

/** What one profile's calls are scanned with. */
export interface ProfileScanPolicy {
  mode: ScanMode;
  options: ScanOptions;
}

export const NO_SCANNING: ProfileScanPolicy = { mode: 'off', options: {} };

export function scanPolicyFor(settings: ScanSettings | null, profileSlug: string): ProfileScanPolicy {
  if (!settings) return NO_SCANNING;
  const mode = settings.profileModes[profileSlug] ?? settings.mode;
  if (mode === 'off') return NO_SCANNING;
  return { mode, options: { allowHosts: settings.allowHosts, disabled: new Set(settings.disabledRules) } };
}

export async function saveScanSettings(
  manager: EntityManager,
  tenantId: string,
  input: ScanSettingsInput,
): Promise<{ changed: boolean; before: object | null; after: object }> {
  const repo = manager.getRepository(ScanSettings);
  const existing = await repo.findOne({ where: { tenantId } });
  const next = {
    mode: input.mode,
    profileModes: input.profiles,
    allowHosts: input.allowHosts.map((h) => h.toLowerCase()),
    disabledRules: input.disable,
  };
  const view = (s: typeof next) => ({ mode: s.mode, profileModes: s.profileModes, allowHosts: s.allowHosts, disabledRules: s.disabledRules });
  const before = existing ? view(existing) : null;
  const changed = JSON.stringify(before) !== JSON.stringify(view(next));
  if (changed) await repo.save(repo.create({ tenantId, ...next }));
  return { changed, before, after: view(next) };
}
