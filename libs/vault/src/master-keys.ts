import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GatehouseError } from '@gatehouse/core';

/** The settings master keys come from (a process's validated config, or its environment). */
export type MasterKeyEnv = Partial<
  Record<
    'GATEHOUSE_MASTER_KEY' | 'GATEHOUSE_MASTER_KEY_FILE' | 'GATEHOUSE_MASTER_KEY_PREVIOUS' | 'GATEHOUSE_MASTER_KEY_PREVIOUS_FILE',
    string
  >
>;

/** A tenant data key as stored: encrypted under one master key, named by that key's id. */
export interface WrappedKey {
  masterKeyId: string;
  /** base64url of iv (12) | tag (16) | ciphertext (32). */
  wrapped: string;
}

/**
 * Wraps and unwraps tenant data keys. The seam a KMS plugs into later (AWS KMS, Vault transit,
 * Azure Key Vault): only this interface knows where master keys live.
 */
export interface KeyProvider {
  /** Id of the key new data keys are wrapped with. */
  readonly currentKeyId: string;
  knows(masterKeyId: string): boolean;
  wrap(dataKey: Buffer): WrappedKey;
  unwrap(key: WrappedKey, tenantId: string): Buffer;
}

const WRAP_AAD = 'gatehouse/data-key/v1';

/**
 * Master keys held by this process: the current one (from `GATEHOUSE_MASTER_KEY` or the file named
 * by `GATEHOUSE_MASTER_KEY_FILE`) and, during a rotation, the previous one. Each key is known by a
 * fingerprint, never by its bytes, so a wrong key is detected by id before anything is decrypted.
 */
export class LocalMasterKeys implements KeyProvider {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Buffer, previous?: Buffer) {
    this.currentKeyId = masterKeyId(current);
    this.keys.set(this.currentKeyId, current);
    if (previous) this.keys.set(masterKeyId(previous), previous);
  }

  /** From the environment; null when no master key is configured (the vault is then off). */
  static fromEnv(env: MasterKeyEnv = process.env): LocalMasterKeys | null {
    const current = readKey(env, 'GATEHOUSE_MASTER_KEY');
    const previous = readKey(env, 'GATEHOUSE_MASTER_KEY_PREVIOUS');
    if (!current) {
      if (previous)
        throw new Error(
          'GATEHOUSE_MASTER_KEY_PREVIOUS is set but GATEHOUSE_MASTER_KEY is not: a rotation needs the new key as the current one.',
        );
      return null;
    }
    return new LocalMasterKeys(current, previous ?? undefined);
  }

  knows(id: string): boolean {
    return this.keys.has(id);
  }

  wrap(dataKey: Buffer): WrappedKey {
    const key = this.keys.get(this.currentKeyId) as Buffer;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(WRAP_AAD));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { masterKeyId: this.currentKeyId, wrapped: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url') };
  }

  unwrap(key: WrappedKey, tenantId: string): Buffer {
    const master = this.keys.get(key.masterKeyId);
    if (!master) throw unknownMasterKey(tenantId, key.masterKeyId, [...this.keys.keys()]);
    const raw = Buffer.from(key.wrapped, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', master, raw.subarray(0, 12)).setAAD(Buffer.from(WRAP_AAD));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    } catch {
      throw new GatehouseError(
        'internal',
        `The data key of tenant ${tenantId} does not decrypt under master key ${key.masterKeyId}: it was altered.`,
      );
    }
  }
}

/** A key's public fingerprint: safe to store and print. */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('gatehouse-master-key-id\0').update(key).digest('hex').slice(0, 16);
}

export function unknownMasterKey(tenantId: string, wanted: string, have: string[]): Error {
  return new Error(
    `The vault data key of tenant ${tenantId} is wrapped with master key ${wanted}, but this process has ${have.length ? have.join(' and ') : 'no master key'}. ` +
      'Set GATEHOUSE_MASTER_KEY (or GATEHOUSE_MASTER_KEY_FILE) to the key the vault was created with; during a rotation, set the old one as GATEHOUSE_MASTER_KEY_PREVIOUS.',
  );
}

/** 32 bytes as base64, base64url or hex, from `NAME` or the file named by `NAME_FILE`. */
function readKey(env: MasterKeyEnv, name: 'GATEHOUSE_MASTER_KEY' | 'GATEHOUSE_MASTER_KEY_PREVIOUS'): Buffer | null {
  const file = env[`${name}_FILE`];
  if (env[name] && file) throw new Error(`Set ${name} or ${name}_FILE, not both.`);
  let text = env[name];
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`${name}_FILE=${file} cannot be read: ${(error as Error).message}`);
    }
  }
  if (text === undefined || text.trim() === '') return null;
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(
      `${name}${file ? '_FILE' : ''} must hold a 256-bit key (32 bytes as base64 or 64 hex digits); it holds ${key.length} bytes. Generate one with: openssl rand -base64 32`,
    );
  }
  return key;
}
