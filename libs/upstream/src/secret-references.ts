import { GatehouseError } from '@gatehouse/core';

const SECRET_REFERENCE = /\$\{secret:([A-Za-z0-9_.-]+)\}/g;

/** Looks up a tenant secret by name at the moment of connecting. */
export type SecretLookup = (tenantId: string, name: string) => Promise<string | undefined>;

/** Until the vault lands, no secret exists: a reference fails with a message saying so. */
export const noVault: SecretLookup = async () => undefined;

export function secretNames(value: string): string[] {
  return [...value.matchAll(SECRET_REFERENCE)].map((m) => m[1] as string);
}

/** Replaces `${secret:name}` references in header/env values; a missing secret is an error. */
export async function resolveSecretReferences(
  tenantId: string,
  values: Record<string, string>,
  lookup: SecretLookup,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    let resolved = value;
    for (const name of secretNames(value)) {
      const secret = await lookup(tenantId, name);
      if (secret === undefined) {
        throw new GatehouseError('upstream_unavailable', `secret "${name}" referenced by ${key} is not in the vault`);
      }
      resolved = resolved.split(`\${secret:${name}}`).join(secret);
    }
    out[key] = resolved;
  }
  return out;
}
