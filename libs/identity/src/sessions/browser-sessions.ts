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
 * dead everywhere at once.
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
    await this.redis.set(key(id), JSON.stringify(session), 'PX', Math.min(this.policy.idleMs, this.policy.absoluteMs));
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

const key = (id: string) => `gatehouse:session:${createHash('sha256').update(id).digest('hex')}`;
