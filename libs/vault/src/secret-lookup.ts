import type { Redis } from 'ioredis';
import type { Vault } from './vault';
import type { SecretRedactor } from './secret-redactor';

export const SECRET_CHANGES_CHANNEL = 'gatehouse:secrets-changed';

/**
 * The gateway's view of the vault: `${secret:NAME}` resolved when an upstream request is made,
 * each value cached for `cacheMs` at most (and dropped at once when a secret changes anywhere),
 * and remembered by the redactor so it never reaches a record.
 */
export class VaultSecretLookup {
  private readonly cache = new Map<string, { value: string | undefined; until: number }>();

  constructor(
    private readonly vault: Vault,
    private readonly redactor: SecretRedactor,
    private readonly cacheMs = 30_000,
  ) {}

  readonly lookup = async (tenantId: string, name: string): Promise<string | undefined> => {
    const key = `${tenantId}\0${name}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await this.vault.reveal(tenantId, name);
    if (value !== undefined) this.redactor.remember(tenantId, name, value);
    this.cache.set(key, { value, until: Date.now() + this.cacheMs });
    return value;
  };

  /** Forgets cached values of one tenant (or all, for null). */
  forget(tenantId: string | null): void {
    for (const key of [...this.cache.keys()]) if (tenantId === null || key.startsWith(`${tenantId}\0`)) this.cache.delete(key);
  }
}

/** Tells every gateway that a tenant's secrets changed (best effort: their cache expires anyway). */
export async function announceSecretChange(redis: Redis, tenantId: string): Promise<void> {
  await redis.publish(SECRET_CHANGES_CHANNEL, tenantId);
}

export async function subscribeSecretChanges(subscriber: Redis, onChange: (tenantId: string) => void): Promise<void> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === SECRET_CHANGES_CHANNEL) onChange(message);
  });
  await subscriber.subscribe(SECRET_CHANGES_CHANNEL);
}
