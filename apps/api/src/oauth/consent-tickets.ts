import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuthorizeRequest } from '@gatehouse/identity';

const TTL_MS = 10 * 60_000;
const key = (ticket: string) => `gatehouse:oauth:consent:${ticket}`;

/**
 * A validated authorization request waiting on the consent screen, keyed by a random ticket that
 * only the rendered page knows (a synchronizer token: a cross-site form cannot produce it), bound
 * to the user it was shown to, usable once.
 */
export class ConsentTickets {
  constructor(private readonly redis: Redis) {}

  async create(request: AuthorizeRequest, userId: string): Promise<string> {
    const ticket = randomBytes(24).toString('base64url');
    await this.redis.set(key(ticket), JSON.stringify({ request, userId }), 'PX', TTL_MS);
    return ticket;
  }

  async take(ticket: string): Promise<{ request: AuthorizeRequest; userId: string } | null> {
    if (!/^[\w-]{20,64}$/.test(ticket)) return null;
    const raw = await this.redis.getdel(key(ticket));
    return raw ? (JSON.parse(raw) as { request: AuthorizeRequest; userId: string }) : null;
  }
}
