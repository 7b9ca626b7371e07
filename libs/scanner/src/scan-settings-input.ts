import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { saveTenantSettings, type SettingsChange } from '@gatehouse/tenancy';
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

export function saveScanSettings(manager: EntityManager, tenantId: string, input: ScanSettingsInput): Promise<SettingsChange> {
  const next = {
    mode: input.mode,
    profileModes: input.profiles,
    allowHosts: input.allowHosts.map((h) => h.toLowerCase()),
    disabledRules: input.disable,
  };
  return saveTenantSettings(manager, ScanSettings, tenantId, next, (s) => s);
}
