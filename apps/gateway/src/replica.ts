import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HOST } from '@gatehouse/core';

const KEY = (id: string) => `gatehouse:replica:${id}`;

/**
 * This gateway process among its replicas: a unique id (host, pid and a random part, since every
 * container's pid is 1) and a heartbeat key in Redis that expires soon after the process dies,
 * so another replica can tell "still running" from "gone" for work the process had started.
 */
export class Replica {
  readonly id = `${HOST}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    /** A replica not heard from for this long counts as gone. */
    private readonly ttlMs = 5_000,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), Math.floor(this.ttlMs / 3));
    this.timer.unref();
  }

  /** False only when Redis answers that the replica's heartbeat expired (unknown counts as alive). */
  async isAlive(id: string): Promise<boolean> {
    if (id === this.id) return true;
    try {
      return (await this.redis.exists(KEY(id))) === 1;
    } catch {
      return true;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(KEY(this.id)).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    await this.redis.set(KEY(this.id), '1', 'PX', this.ttlMs);
  }
}
