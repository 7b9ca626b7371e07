import type { Redis } from 'ioredis';

/** The API's Redis connection, for reading gateway reports and requesting probes. */
export class UpstreamStatusRedis {
  constructor(readonly client: Redis) {}
}
