import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuthorizeRequest } from '@gatehouse/identity';

const TTL_MS = 10 * 60_000;
// The user is part of the key: someone else presenting the ticket finds nothing, and cannot use it up.
const key = (userId: string, ticket: string) => `gatehouse:oauth:consent:${userId}:${ticket}`;

/**
 * A validated authorization request waiting on the consent screen, keyed by a random ticket that
 * only the rendered page knows (a synchronizer token: a cross-site form cannot produce it), bound
 * to the user it was shown to, usable once.
 */
export class ConsentTickets {
  constructor(private readonly redis: Redis) {}

  async create(request: AuthorizeRequest, userId: string): Promise<string> {
    const ticket = randomBytes(24).toString('base64url');
    await this.redis.set(key(userId, ticket), JSON.stringify(request), 'PX', TTL_MS);
    return ticket;
  }

  /** The request behind a ticket shown to `userId`, removing it; null for anyone else or when expired or used. */
  async take(ticket: string, userId: string): Promise<AuthorizeRequest | null> {
    if (!/^[\w-]{20,64}$/.test(ticket)) return null;
    const raw = await this.redis.getdel(key(userId, ticket));
    return raw ? (JSON.parse(raw) as AuthorizeRequest) : null;
  }
}
