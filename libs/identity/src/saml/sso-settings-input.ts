import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { parseIdpMetadata, toPem } from './idp-metadata';
import { SsoSettings } from './sso-settings.entity';

/**
 * A tenant's IdP as an admin declares it, in the API (`PUT /api/tenants/{t}/sso`) and in
 * `gatehouse apply` (`sso:` of a tenant): the IdP's metadata XML, or its entity id, SSO URL and
 * certificate(s); fields given beside the metadata override it.
 */
export const ssoSettingsInputSchema = z
  .object({
    metadataXml: z.string().min(1).optional(),
    idpEntityId: z.string().min(1).optional(),
    entryPoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    certificates: z.array(z.string().min(1)).min(1).optional(),
    logoutUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).nullable().optional(),
    attributes: z
      .object({ email: z.string().min(1).optional(), displayName: z.string().min(1).optional(), groups: z.string().min(1).optional() })
      .strict()
      .optional(),
    allowIdpInitiated: z.boolean().default(false),
  })
  .strict()
  .refine((v) => v.metadataXml || (v.idpEntityId && v.entryPoint && v.certificates), {
    error: 'give metadataXml, or idpEntityId + entryPoint + certificates',
  });
export type SsoSettingsInput = z.input<typeof ssoSettingsInputSchema>;

/** The settings row an input describes (metadata parsed, certificates normalised to PEM). */
export function resolveSsoSettings(tenantId: string, raw: unknown): Omit<SsoSettings, 'updatedAt' | 'tenant'> {
  const parsed = ssoSettingsInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new GatehouseError('validation_failed', parsed.error.issues.map((i) => `${['sso', ...i.path].join('.')}: ${i.message}`).join('; '));
  }
  const input = parsed.data;
  const fromMetadata = input.metadataXml ? parseIdpMetadata(input.metadataXml) : null;
  return {
    tenantId,
    idpEntityId: input.idpEntityId ?? fromMetadata?.idpEntityId ?? '',
    entryPoint: input.entryPoint ?? fromMetadata?.entryPoint ?? '',
    idpCertificates: input.certificates?.map(toPem) ?? fromMetadata?.idpCertificates ?? [],
    logoutUrl: input.logoutUrl !== undefined ? input.logoutUrl : (fromMetadata?.logoutUrl ?? null),
    emailAttribute: input.attributes?.email ?? 'email',
    displayNameAttribute: input.attributes?.displayName ?? 'displayName',
    groupsAttribute: input.attributes?.groups ?? 'groups',
    allowIdpInitiated: input.allowIdpInitiated,
  };
}

/** Comparable view of settings for the admin audit log (certificates as fingerprints: public, but long). */
export function describeSsoSettings(settings: Omit<SsoSettings, 'updatedAt' | 'tenant'> | null): Record<string, unknown> | null {
  if (!settings) return null;
  return {
    idpEntityId: settings.idpEntityId,
    entryPoint: settings.entryPoint,
    idpCertificates: settings.idpCertificates.map((c) => `sha256:${createHash('sha256').update(c.replace(/-----[A-Z ]+-----|\s/g, '')).digest('hex').slice(0, 16)}`),
    logoutUrl: settings.logoutUrl,
    emailAttribute: settings.emailAttribute,
    displayNameAttribute: settings.displayNameAttribute,
    groupsAttribute: settings.groupsAttribute,
    allowIdpInitiated: settings.allowIdpInitiated,
  };
}

/** Creates or replaces a tenant's SSO settings; returns before/after for the audit log. */
export async function saveSsoSettings(manager: EntityManager, tenantId: string, raw: unknown) {
  const next = resolveSsoSettings(tenantId, raw);
  const current = await manager.getRepository(SsoSettings).findOne({ where: { tenantId } });
  const before = describeSsoSettings(current);
  const after = describeSsoSettings(next);
  const changed = JSON.stringify(before) !== JSON.stringify(after);
  if (changed) await manager.getRepository(SsoSettings).save(next);
  return { changed, before, after };
}
