import type { Redis } from 'ioredis';
import type { Logger } from '@gatehouse/core';
import type { LimitSettings, Rate } from '@gatehouse/catalog';

/**
 * Token buckets in Redis, taken atomically across several buckets at once: a call costs one token
 * from every bucket that applies (tenant, user, user+tool), or none at all when any is empty.
 * Each bucket is a hash {tokens, at}; refill is continuous at count/period. The script runs in
 * Redis, so every gateway replica shares the same buckets and two replicas never both spend the
 * last token.
 */
const TAKE = `
local now = tonumber(ARGV[1])
local wait = 0
local worst = 0
local state = {}
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[i * 2])
  local perMs = tonumber(ARGV[i * 2 + 1])
  local saved = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(saved[1]) or capacity
  local at = tonumber(saved[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
  if tokens < 1 then
    local needed = math.ceil((1 - tokens) / perMs)
    if needed > wait then wait = needed; worst = i end
  end
  state[i] = tokens
end
if wait > 0 then return {wait, worst} end
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[i * 2])
  local perMs = tonumber(ARGV[i * 2 + 1])
  redis.call('HSET', key, 'tokens', state[i] - 1, 'at', now)
  redis.call('PEXPIRE', key, math.ceil(capacity / perMs) + 1000)
end
return {0, 0}`;

export interface Bucket {
  key: string;
  rate: Rate;
  /** Words for the error: "tenant", "user", "tool delete_repository". */
  label: string;
}

/** A call's buckets under the tenant's limits. */
export function bucketsFor(
  limits: LimitSettings | null,
  call: { tenantId: string; userId: string; server: string; tool: string },
): Bucket[] {
  if (!limits) return [];
  const base = `gatehouse:rate:${call.tenantId}`;
  const buckets: Bucket[] = [];
  if (limits.tenantRate) buckets.push({ key: `${base}:tenant`, rate: limits.tenantRate, label: 'this organisation' });
  if (limits.userRate) buckets.push({ key: `${base}:user:${call.userId}`, rate: limits.userRate, label: 'you' });
  for (const rule of limits.toolRates) {
    if (rule.server === call.server && rule.tool === call.tool) {
      buckets.push({ key: `${base}:tool:${call.server}/${call.tool}:${call.userId}`, rate: rule.rate, label: `you on ${call.tool}` });
    }
  }
  return buckets;
}

export class RateLimiter {
  private warned = false;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  /** Takes one token from every bucket, or returns how long to wait (ms) and the limit that is exhausted. */
  async take(buckets: Bucket[]): Promise<{ ok: true } | { ok: false; retryAfterMs: number; limit: Bucket }> {
    if (buckets.length === 0) return { ok: true };
    const args = [String(Date.now()), ...buckets.flatMap((b) => [String(b.rate.count), String(b.rate.count / b.rate.periodMs)])];
    let waitMs: number;
    let worst: number;
    try {
      const [wait, index] = (await this.redis.eval(TAKE, buckets.length, ...buckets.map((b) => b.key), ...args)) as [number, number];
      waitMs = Number(wait);
      worst = Number(index);
    } catch (error) {
      // Redis away: calls go on unlimited rather than all failing; limits resume with Redis.
      if (!this.warned) this.logger.warn({ err: error }, 'rate limits not enforced: Redis unavailable');
      this.warned = true;
      return { ok: true };
    }
    this.warned = false;
    if (waitMs <= 0) return { ok: true };
    return { ok: false, retryAfterMs: waitMs, limit: buckets[worst - 1] as Bucket };
  }
}
