import type { Redis } from 'ioredis';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { SessionState } from '@gatehouse/proxy';

/** What any replica needs to serve a 2025-era session it did not open. Never a token. */
export interface SessionRecord {
  userId: string;
  endpointKey: string;
  /** The client's `initialize` request, replayed to rebuild the session elsewhere. */
  initialize: JSONRPCMessage;
  state: SessionState;
}

const KEY = (id: string) => `gatehouse:session:${id}`;

/**
 * 2025-era sessions in Redis, so that any gateway replica serves any request of any session
 * (no load-balancer stickiness). Records expire after the session's idle period; replicas
 * refresh them at most every `touchEveryMs` per session, not on every request.
 */
export class SessionDirectory {
  constructor(
    private readonly redis: Redis,
    private readonly idleMs: number,
    readonly touchEveryMs = Math.min(10_000, Math.floor(idleMs / 4)),
  ) {}

  async save(id: string, record: SessionRecord): Promise<void> {
    await this.redis.set(KEY(id), JSON.stringify(record), 'PX', this.idleMs);
  }

  async load(id: string): Promise<SessionRecord | null> {
    const raw = await this.redis.get(KEY(id));
    return raw ? (JSON.parse(raw) as SessionRecord) : null;
  }

  /** Keeps the record alive while the session is used; losing one refresh only shortens its life. */
  touch(id: string): void {
    if (this.redis.status === 'ready') void this.redis.pexpire(KEY(id), this.idleMs).catch(() => undefined);
  }

  async updateState(id: string, state: SessionState): Promise<void> {
    const record = await this.load(id);
    if (record) await this.save(id, { ...record, state });
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(KEY(id));
  }
}
