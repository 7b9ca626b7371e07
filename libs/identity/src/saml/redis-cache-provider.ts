import type { CacheItem, CacheProvider } from '@node-saml/passport-saml';
import type { Redis } from 'ioredis';

/**
 * node-saml's store of outstanding AuthnRequest ids (for `InResponseTo` checks), in Redis so any
 * API replica can finish a login another one started; entries expire with the request.
 */
export class RedisSamlCacheProvider implements CacheProvider {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const stored = await this.redis.set(this.prefix + key, value, 'PX', this.ttlMs, 'NX');
    return stored === 'OK' ? { value, createdAt: Date.now() } : null;
  }

  async getAsync(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async removeAsync(key: string | null): Promise<string | null> {
    return key === null ? null : this.redis.getdel(this.prefix + key);
  }
}
