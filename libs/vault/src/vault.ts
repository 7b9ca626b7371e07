import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { recordAdminChange } from '@gatehouse/audit';
import { TenantScope } from '@gatehouse/tenancy';
import { unknownMasterKey, type KeyProvider } from './master-keys';
import { openSecret, sealSecret } from './secret-box';
import { TenantDataKey, VaultSecret } from './vault.entity';

/** The names `${secret:NAME}` references can use. */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_SECRET_BYTES = 64 * 1024;

/** What anyone may see of a secret: never its value. */
export interface SecretMetadata {
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * Tenant secrets under envelope encryption: each value is sealed with its tenant's data key
 * (AES-256-GCM, bound to tenant and name), and each data key is wrapped by a master key the
 * database never sees. Values are write-only here except `reveal`, which only the gateway calls,
 * at the moment it connects upstream.
 */
export class Vault {
  private readonly dataKeys = new Map<string, { key: Buffer; until: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly keys: KeyProvider | null,
    private readonly dataKeyCacheMs = 60_000,
  ) {}

  get enabled(): boolean {
    return this.keys !== null;
  }

  /**
   * At start: every tenant data key must be wrapped by a master key this process holds, so a
   * wrong or missing key stops the process with a clear message instead of failing calls later.
   */
  async verifyKeys(): Promise<void> {
    const rows = await this.db.getRepository(TenantDataKey).find();
    const have = this.keys ? [this.keys.currentKeyId] : [];
    for (const row of rows) {
      if (!this.keys?.knows(row.masterKeyId)) throw unknownMasterKey(row.tenantId, row.masterKeyId, have);
    }
  }

  async put(
    tenantId: string,
    name: string,
    value: string,
    actor: string,
    description?: string | null,
  ): Promise<SecretMetadata & { created: boolean }> {
    const keys = this.requireKeys();
    if (!SECRET_NAME.test(name)) throw new GatehouseError('validation_failed', 'A secret name is 1–128 letters, digits, ".", "_" or "-".');
    if (value.length === 0 || Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      throw new GatehouseError('validation_failed', `A secret value must be 1 byte to ${MAX_SECRET_BYTES / 1024} KiB.`);
    }
    return this.db.transaction(async (manager) => {
      const dataKey = await this.dataKey(manager, tenantId, keys);
      const scope = new TenantScope(manager, tenantId);
      const existing = await scope.findOne(VaultSecret, { name });
      const row = existing ?? scope.create(VaultSecret, { name });
      row.sealed = sealSecret(dataKey, tenantId, name, value);
      row.updatedBy = actor;
      if (description !== undefined) row.description = description;
      const saved = await scope.save(VaultSecret, row);
      await recordAdminChange(manager, {
        tenantId,
        actor,
        action: existing ? 'secret.rotate' : 'secret.create',
        targetType: 'secret',
        targetId: name,
        before: existing ? metadataOf(existing) : null,
        after: { ...metadataOf(saved), value: '[write-only]' },
      });
      return { ...metadataOf(saved), created: !existing };
    });
  }

  async list(tenantId: string): Promise<SecretMetadata[]> {
    const rows = await new TenantScope(this.db.manager, tenantId).find(VaultSecret, {}, { name: 'ASC' });
    return rows.map(metadataOf);
  }

  async remove(tenantId: string, name: string, actor: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const scope = new TenantScope(manager, tenantId);
      const existing = await scope.findOne(VaultSecret, { name });
      if (!existing) throw new GatehouseError('not_found', `No secret "${name}" in this tenant.`);
      await scope.delete(VaultSecret, { name });
      await recordAdminChange(manager, {
        tenantId,
        actor,
        action: 'secret.delete',
        targetType: 'secret',
        targetId: name,
        before: metadataOf(existing),
        after: null,
      });
    });
  }

  /** The plaintext, for the gateway's upstream connection only; undefined when there is no such secret. */
  async reveal(tenantId: string, name: string): Promise<string | undefined> {
    const row = await new TenantScope(this.db.manager, tenantId).findOne(VaultSecret, { name });
    if (!row) return undefined;
    const keys = this.requireKeys();
    const dataKey = await this.dataKey(this.db.manager, tenantId, keys);
    try {
      return openSecret(dataKey, tenantId, name, row.sealed);
    } catch {
      throw new GatehouseError('internal', `Secret "${name}" of this tenant does not decrypt: its stored value was altered.`);
    }
  }

  /**
   * Seals a value that is not a stored secret but must not sit in the clear elsewhere (an upstream
   * access token shared through Redis), under the tenant's data key and bound to `label`.
   */
  async seal(tenantId: string, label: string, value: string): Promise<string> {
    const keys = this.requireKeys();
    return sealSecret(await this.dataKey(this.db.manager, tenantId, keys), tenantId, `sealed:${label}`, value);
  }

  /** The value `seal` sealed for this tenant and label; throws when it was altered or moved. */
  async open(tenantId: string, label: string, sealed: string): Promise<string> {
    const keys = this.requireKeys();
    return openSecret(await this.dataKey(this.db.manager, tenantId, keys), tenantId, `sealed:${label}`, sealed);
  }

  /**
   * Re-wraps every data key not yet under the current master key (the previous key must be
   * loaded too). Each row is one conditional UPDATE, so processes keep reading throughout: they
   * hold both keys until the rotation is done. Secrets themselves are untouched.
   */
  async rotateMasterKey(): Promise<{ rewrapped: number; current: number }> {
    const keys = this.requireKeys();
    const rows = await this.db.getRepository(TenantDataKey).find();
    let rewrapped = 0;
    for (const row of rows.filter((r) => r.masterKeyId !== keys.currentKeyId)) {
      const wrapped = keys.wrap(keys.unwrap({ masterKeyId: row.masterKeyId, wrapped: row.wrappedKey }, row.tenantId));
      const result = await this.db.query(
        `UPDATE vault_data_keys SET master_key_id = $2, wrapped_key = $3, rewrapped_at = now() WHERE tenant_id = $1 AND master_key_id = $4`,
        [row.tenantId, wrapped.masterKeyId, wrapped.wrapped, row.masterKeyId],
      );
      if (Array.isArray(result) && Number(result[1]) > 0) rewrapped += 1;
    }
    this.dataKeys.clear();
    return { rewrapped, current: rows.length - rewrapped };
  }

  private requireKeys(): KeyProvider {
    if (!this.keys)
      throw new GatehouseError(
        'unavailable',
        'The vault is not configured: set GATEHOUSE_MASTER_KEY or GATEHOUSE_MASTER_KEY_FILE on the API and every gateway.',
      );
    return this.keys;
  }

  /** The tenant's data key, created (and wrapped) on first use; unwrapped copies live briefly in memory. */
  private async dataKey(manager: EntityManager, tenantId: string, keys: KeyProvider): Promise<Buffer> {
    const cached = this.dataKeys.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.key;
    const fresh = keys.wrap(randomBytes(32));
    await manager.query(
      `INSERT INTO vault_data_keys (tenant_id, master_key_id, wrapped_key) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO NOTHING`,
      [tenantId, fresh.masterKeyId, fresh.wrapped],
    );
    const row = await manager.getRepository(TenantDataKey).findOneByOrFail({ tenantId });
    const key = keys.unwrap({ masterKeyId: row.masterKeyId, wrapped: row.wrappedKey }, tenantId);
    this.dataKeys.set(tenantId, { key, until: Date.now() + this.dataKeyCacheMs });
    return key;
  }
}

function metadataOf(row: VaultSecret): SecretMetadata {
  return {
    name: row.name,
    description: row.description ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}
