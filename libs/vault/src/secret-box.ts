import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with the tenant and the secret's name as associated data: a ciphertext copied to
 * another row or another tenant does not decrypt, so a database writer cannot swap secrets around.
 */
export function sealSecret(dataKey: Buffer, tenantId: string, name: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(associatedData(tenantId, name));
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The value, or throws when the ciphertext, its tenant or its name was altered. */
export function openSecret(dataKey: Buffer, tenantId: string, name: string, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(0, 12)).setAAD(associatedData(tenantId, name));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

function associatedData(tenantId: string, name: string): Buffer {
  return Buffer.from(`gatehouse/secret/v1\0${tenantId}\0${name}`);
}
