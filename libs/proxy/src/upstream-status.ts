import type { Redis } from 'ioredis';

/**
 * Upstream health as the gateways see it, for the console. Only gateways hold upstream
 * connections, so each replica reports its own view to Redis (one hash per tenant, one field per
 * replica) and the API merges the fresh reports; a replica that stops reporting ages out.
 */
export interface UpstreamServerStatus {
  serverId: string;
  connected: boolean;
  lastError: string | null;
  protocolVersion: string | null;
  /** The tool list this replica holds, or null when it has not listed tools yet. */
  tools: Array<{ name: string; description: string | null }> | null;
}

export interface ReplicaReport {
  replica: string;
  reportedAt: number;
  servers: UpstreamServerStatus[];
}

const statusKey = (tenantId: string) => `gatehouse:upstream-status:${tenantId}`;

/** Writes one replica's view of each tenant's upstreams; the hash expires if every replica stops. */
export async function reportUpstreamStatus(
  redis: Redis,
  replica: string,
  byTenant: Map<string, UpstreamServerStatus[]>,
  ttlMs: number,
): Promise<void> {
  const reportedAt = Date.now();
  const batch = redis.multi();
  for (const [tenantId, servers] of byTenant) {
    batch.hset(statusKey(tenantId), replica, JSON.stringify({ replica, reportedAt, servers } satisfies ReplicaReport));
    batch.pexpire(statusKey(tenantId), ttlMs);
  }
  await batch.exec();
}

/** The reports of replicas heard from within `maxAgeMs`, newest first. */
export async function readUpstreamStatus(redis: Redis, tenantId: string, maxAgeMs: number): Promise<ReplicaReport[]> {
  const fields = await redis.hgetall(statusKey(tenantId));
  const cutoff = Date.now() - maxAgeMs;
  return Object.values(fields)
    .map((raw) => JSON.parse(raw) as ReplicaReport)
    .filter((r) => r.reportedAt >= cutoff)
    .sort((a, b) => b.reportedAt - a.reportedAt);
}

/** "Test connection": any one gateway connects afresh and answers on the probe's result key. */
export const PROBE_CHANNEL = 'gatehouse:upstream-probe';

export interface UpstreamProbeRequest {
  probeId: string;
  tenantId: string;
  serverId: string;
}

export interface UpstreamProbeResult {
  ok: boolean;
  replica: string;
  latencyMs: number;
  error: string | null;
  protocolVersion: string | null;
  tools: Array<{ name: string; description: string | null }>;
}

const probeClaimKey = (probeId: string) => `gatehouse:upstream-probe:${probeId}:claim`;
const probeResultKey = (probeId: string) => `gatehouse:upstream-probe:${probeId}:result`;

export async function requestUpstreamProbe(
  redis: Redis,
  request: UpstreamProbeRequest,
  timeoutMs: number,
): Promise<UpstreamProbeResult | null> {
  await redis.publish(PROBE_CHANNEL, JSON.stringify(request));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const raw = await redis.get(probeResultKey(request.probeId));
    if (raw) return JSON.parse(raw) as UpstreamProbeResult;
    await new Promise((r) => setTimeout(r, 150));
  }
  return null;
}

/**
 * Runs each probe on exactly one replica: among those that know the server (`prepare` returns a
 * runner; a replica on another database returns null and stays out of it), the first to claim it.
 * The runner is the replica's own way of connecting, credentials included.
 */
export async function serveUpstreamProbes(
  subscriber: Redis,
  redis: Redis,
  prepare: (request: UpstreamProbeRequest) => Promise<(() => Promise<UpstreamProbeResult>) | null>,
): Promise<void> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== PROBE_CHANNEL) return;
    let request: UpstreamProbeRequest;
    try {
      request = JSON.parse(message) as UpstreamProbeRequest;
    } catch {
      return; // not a probe this version understands; the API times out and says so
    }
    void (async () => {
      const run = await prepare(request);
      if (!run) return;
      const claimed = await redis.set(probeClaimKey(request.probeId), '1', 'PX', 60_000, 'NX');
      if (claimed !== 'OK') return;
      await redis.set(probeResultKey(request.probeId), JSON.stringify(await run()), 'PX', 60_000);
    })().catch(() => undefined);
  });
  await subscriber.subscribe(PROBE_CHANNEL);
}
