import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Principal } from '../principal-resolver';
import { loadUserAccess } from '../oauth/user-access';

export interface BrowserSession {
  tenantId: string;
  tenantSlug: string;
  userId: string;
  /** Sent back by the console in `X-CSRF-Token` on every state-changing request. */
  csrfToken: string;
  createdAt: number;
  /** What single logout needs to name the IdP session. */
  saml: { nameId: string; nameIdFormat: string; sessionIndex: string | null } | null;
}

export interface SessionPolicy {
  /** Ends a session nobody used for this long. */
  idleMs: number;
  /** Ends every session this long after sign-in, used or not. */
  absoluteMs: number;
}

/**
 * Server-side console sessions in Redis. The cookie holds a random id; Redis holds the session
 * under the id's sha256 (a Redis dump does not hand out live cookies). Idle expiry is the key's
 * TTL, renewed on use but never past the absolute limit; logout deletes the key, so the cookie is
 * dead everywhere at once. SSO sessions are also indexed by the IdP's NameID, so an IdP-initiated
 * single logout can find and end them.
 */
export class BrowserSessions {
  constructor(
    private readonly redis: Redis,
    private readonly db: DataSource,
    readonly policy: SessionPolicy,
  ) {}

  async create(data: Omit<BrowserSession, 'csrfToken' | 'createdAt'>): Promise<{ id: string; session: BrowserSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: BrowserSession = { ...data, csrfToken: randomBytes(24).toString('base64url'), createdAt: Date.now() };
    const multi = this.redis.multi().set(key(id), JSON.stringify(session), 'PX', Math.min(this.policy.idleMs, this.policy.absoluteMs));
    if (session.saml) {
      const index = nameIdIndex(session.tenantId, session.saml.nameId);
      multi.sadd(index, hash(id)).pexpire(index, this.policy.absoluteMs);
    }
    await multi.exec();
    return { id, session };
  }

  async get(id: string): Promise<BrowserSession | null> {
    if (!/^[\w-]{40,64}$/.test(id)) return null;
    const raw = await this.redis.get(key(id));
    if (!raw) return null;
    const session = JSON.parse(raw) as BrowserSession;
    const remaining = session.createdAt + this.policy.absoluteMs - Date.now();
    if (remaining <= 0) {
      await this.redis.del(key(id));
      return null;
    }
    await this.redis.pexpire(key(id), Math.min(this.policy.idleMs, remaining));
    return session;
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(key(id));
  }

  /**
   * Ends the sessions an IdP's LogoutRequest names: every session of that NameID in the tenant, or
   * only those of one IdP session when it names a SessionIndex. Returns how many ended.
   */
  async endSamlSessions(tenantId: string, nameId: string, sessionIndex: string | null): Promise<number> {
    const index = nameIdIndex(tenantId, nameId);
    let ended = 0;
    for (const hashed of await this.redis.smembers(index)) {
      const raw = await this.redis.get(`${PREFIX}${hashed}`);
      const session = raw ? (JSON.parse(raw) as BrowserSession) : null;
      if (session && sessionIndex && session.saml?.sessionIndex !== sessionIndex) continue; // another IdP session of the user
      if (session) ended += await this.redis.del(`${PREFIX}${hashed}`);
      await this.redis.srem(index, hashed);
    }
    return ended;
  }

  /** The session's user as the API authorises them now (roles and profiles re-read, disabled users refused). */
  async principal(session: BrowserSession): Promise<Principal | null> {
    const access = await loadUserAccess(this.db, session.tenantId, session.userId);
    if (!access || access.disabled) return null;
    return {
      tenantId: session.tenantId,
      tenantSlug: session.tenantSlug,
      userId: access.userId,
      email: access.email,
      role: access.role,
      profiles: access.profiles,
      tokenId: `session:${session.createdAt}`,
      tokenExpiresAt: new Date(session.createdAt + this.policy.absoluteMs),
    };
  }
}

const PREFIX = 'gatehouse:session:';
const hash = (value: string) => createHash('sha256').update(value).digest('hex');
const key = (id: string) => `${PREFIX}${hash(id)}`;
const nameIdIndex = (tenantId: string, nameId: string) => `gatehouse:session-index:${tenantId}:${hash(nameId)}`;
