import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { EventId, EventStore, JSONRPCMessage, RequestId, StreamId } from '@modelcontextprotocol/server';
import type { Replica } from './replica';

/** The JSON-RPC request ids of the POST being handled, so a stream's events can name its requests. */
export const postedRequestIds = new AsyncLocalStorage<RequestId[]>();

export interface RedisEventStoreLimits {
  /** Events kept per stream (oldest trimmed first, approximately). */
  maxEvents: number;
  /** How long the events of an answered request (and of the GET stream) stay resumable. */
  answeredRetentionMs: number;
  /** How long the events of a request still running stay resumable: as long as its session lives. */
  runningRetentionMs: number;
  /** How long one resumed stream of a request running on another replica stays open (the client then resumes again). */
  resumeWaitMs: number;
}

/**
 * How often a followed remote stream is read: the most an event relayed across replicas is
 * delayed. One XRANGE per followed stream per period; only calls outliving their first stream
 * (GATEWAY_SSE_POLL_AFTER_MS) and resumed on another replica are followed, so they are few.
 */
const RESUME_POLL_MS = 50;

const STANDALONE = '_GET_stream';
const SEP = '~';

/**
 * `session~owner~stream~seq~requests`: session is a tag of the session the event belongs to, seq
 * the Redis stream entry id (0 for the priming event, u<n> when unstored).
 */
interface ParsedEventId {
  session: string;
  owner: string;
  streamId: StreamId;
  seq: string;
  requests: string;
}

function formatEventId(e: ParsedEventId): EventId {
  return [e.session, e.owner, e.streamId, e.seq, e.requests].join(SEP);
}

function parseEventId(id: string): ParsedEventId | null {
  const parts = id.split(SEP);
  if (parts.length !== 5) return null;
  const [session, owner, streamId, seq, requests] = parts as [string, string, string, string, string];
  if (!/^[A-Za-z0-9_-]{10}$/.test(session) || !/^[A-Za-z0-9-]{1,80}$/.test(owner) || !/^[A-Za-z0-9_-]{1,64}$/.test(streamId)) return null;
  if (seq !== '0' && !/^(\d{1,20}-\d{1,20}|u\d{1,12})$/.test(seq)) return null;
  if (!/^[A-Za-z0-9_-]{0,400}$/.test(requests)) return null;
  return { session, owner, streamId, seq, requests };
}

function isResponse(message: JSONRPCMessage): boolean {
  return 'id' in message && ('result' in message || 'error' in message);
}

/**
 * The SSE events of one 2025-era session, kept in Redis so a client whose stream dropped can
 * resume with Last-Event-ID on any gateway replica. One Redis stream per (replica, SSE stream),
 * trimmed by count and expiring: answered requests after a grace period, running ones with the
 * session. Event ids carry the replica that produced them and the ids of the requests on the
 * stream, so a replica resuming a stream whose producer died can answer the waiting client with
 * a clear error instead of leaving it polling until its timeout. Event ids carry a tag of their
 * session and keys are per session, so an id from another session is refused and never replays
 * foreign events.
 *
 * Redis being down must never fail a call: events then go out unstored (not resumable).
 */
export class RedisSessionEventStore implements EventStore {
  /** Request ids (encoded) of this replica's streams that are still running. */
  private readonly streamRequests = new Map<StreamId, string>();
  private unstored = 0;
  private readonly sequences = new Map<string, { ms: number; n: number }>();
  /** Event ids of another session are refused outright, before any lookup. */
  private readonly tag: string;
  /** While a session is rehydrated its replayed `initialize` answer is not worth keeping. */
  muted = false;

  constructor(
    private readonly redis: Redis,
    private readonly sessionId: string,
    private readonly replica: Replica,
    private readonly limits: RedisEventStoreLimits,
  ) {
    this.tag = createHash('sha256').update(sessionId).digest('base64url').slice(0, 10);
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const owner = this.replica.id;
    if (Object.keys(message).length === 0) {
      // Priming event: nothing to store; its id records which requests the stream answers.
      const ids = postedRequestIds.getStore();
      const requests = ids?.length ? Buffer.from(JSON.stringify(ids)).toString('base64url') : '';
      if (requests) this.streamRequests.set(streamId, requests);
      return formatEventId({ session: this.tag, owner, streamId, seq: '0', requests });
    }
    const requests = this.streamRequests.get(streamId) ?? '';
    const answered = isResponse(message);
    if (answered) this.streamRequests.delete(streamId);
    if (this.muted || this.redis.status !== 'ready') return this.unstoredId(owner, streamId, requests);
    // The entry id is ours (only this replica writes this key), so the write need not be awaited:
    // the call's answer is not held up by a Redis round trip.
    const seq = this.nextSeq(owner, streamId);
    if (answered) this.sequences.delete(`${owner}:${streamId}`); // an answered stream gets no more events
    const key = this.key(owner, streamId);
    const ttl = answered || streamId === STANDALONE ? this.limits.answeredRetentionMs : this.limits.runningRetentionMs;
    this.redis
      .pipeline()
      .xadd(key, 'MAXLEN', '~', this.limits.maxEvents, seq, 'm', JSON.stringify(message))
      .pexpire(key, ttl)
      .exec()
      .catch(() => undefined); // then the event is simply not resumable
    return formatEventId({ session: this.tag, owner, streamId, seq, requests });
  }

  /** Strictly increasing `ms-n` entry ids per stream key, as XADD requires. */
  private nextSeq(owner: string, streamId: StreamId): string {
    const key = `${owner}:${streamId}`;
    const now = Date.now();
    const last = this.sequences.get(key);
    const next = last && last.ms >= now ? { ms: last.ms, n: last.n + 1 } : { ms: now, n: 0 };
    this.sequences.set(key, next);
    return `${next.ms}-${next.n}`;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.parse(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const anchor = this.anchorOf(lastEventId);
    for (const [seq, fields] of await this.storedAfter(anchor, lastEventId))
      await send(formatEventId({ ...anchor, seq }), JSON.parse(fields[1] as string) as JSONRPCMessage);
    return anchor.streamId;
  }

  /**
   * Whether `lastEventId` resumes a request stream another replica produced. The SDK closes such a
   * stream as soon as its replay returns (the request is not running in this process), so these
   * resumptions are served by `follow` instead.
   */
  resumesRemoteRequest(lastEventId: EventId): boolean {
    const anchor = this.parse(lastEventId);
    return !!anchor && anchor.streamId !== STANDALONE && anchor.owner !== this.replica.id && !anchor.seq.startsWith('u');
  }

  /**
   * Replays a remote request stream after `lastEventId`, then passes its new events on as the
   * producing replica writes them, until the request is answered, the producer is gone (the
   * client gets `replica_lost`), `signal` aborts or `resumeWaitMs` passes (the client then
   * resumes again from the last event it got).
   */
  async follow(
    lastEventId: EventId,
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
    signal: AbortSignal,
    onFound: () => void = () => undefined,
  ): Promise<void> {
    const anchor = this.anchorOf(lastEventId);
    const key = this.key(anchor.owner, anchor.streamId);
    let answered = false;
    let sent = 0;
    let last = anchor.seq;
    const deliver = async (batch: Array<[string, string[]]>) => {
      for (const [seq, fields] of batch) {
        const message = JSON.parse(fields[1] as string) as JSONRPCMessage;
        answered ||= isResponse(message);
        sent += 1;
        last = seq;
        await send(formatEventId({ ...anchor, seq }), message);
      }
    };
    const read = () => this.redis.xrange(key, last === '0' ? '-' : `(${last}`, '+');
    const first = await this.storedAfter(anchor, lastEventId);
    onFound();
    await deliver(first);
    const deadline = Date.now() + this.limits.resumeWaitMs;
    let checkedOwnerAt = 0;
    while (!answered && !signal.aborted && Date.now() < deadline) {
      if (Date.now() - checkedOwnerAt >= 1_000) {
        checkedOwnerAt = Date.now();
        if (anchor.requests && !(await this.replica.isAlive(anchor.owner))) {
          await deliver(await read()); // whatever it wrote before it went
          if (answered) break;
          for (const error of lostReplicaErrors(anchor)) {
            const seq = await this.redis.xadd(key, '*', 'm', JSON.stringify(error));
            await this.redis.pexpire(key, this.limits.answeredRetentionMs);
            await deliver([[seq ?? `${Date.now()}-0`, ['m', JSON.stringify(error)]]]);
          }
          break;
        }
      }
      await setTimeout(RESUME_POLL_MS, undefined, { signal }).catch(() => undefined);
      if (!signal.aborted) await deliver(await read());
    }
    // The client keeps its place only from an event id: with nothing new, it gets its anchor back
    // on a notification no client acts on, and resumes from the same point next time.
    if (sent === 0 && !signal.aborted)
      await send(lastEventId, { jsonrpc: '2.0', method: 'notifications/gatehouse/still_running', params: {} });
  }

  /** The stored events after the anchor; an error when its stream is gone (unknown or expired id). */
  private async storedAfter(anchor: ParsedEventId, lastEventId: EventId): Promise<Array<[string, string[]]>> {
    const key = this.key(anchor.owner, anchor.streamId);
    const entries = await this.redis.xrange(key, anchor.seq === '0' ? '-' : `(${anchor.seq}`, '+');
    if (anchor.seq !== '0' && entries.length === 0 && (await this.redis.exists(key)) === 0)
      throw new Error(`Unknown or expired event id "${lastEventId}" for this session.`);
    return entries;
  }

  private anchorOf(lastEventId: EventId): ParsedEventId {
    const anchor = this.parse(lastEventId);
    if (!anchor) throw new Error(`Event id "${lastEventId}" is malformed or belongs to another session.`);
    if (anchor.seq.startsWith('u')) throw new Error(`Event "${lastEventId}" was sent while Redis was unavailable and cannot be resumed.`);
    return anchor;
  }

  private parse(eventId: EventId): ParsedEventId | null {
    const parsed = parseEventId(eventId);
    return parsed?.session === this.tag ? parsed : null;
  }

  private key(owner: string, streamId: StreamId): string {
    return `gatehouse:sse:${this.sessionId}:${owner}:${streamId}`;
  }

  /** An id that resumes nothing: the replay of an unstored event fails clearly rather than skipping. */
  private unstoredId(owner: string, streamId: StreamId, requests: string): EventId {
    this.unstored += 1;
    return formatEventId({ session: this.tag, owner, streamId, seq: `u${this.unstored}`, requests });
  }
}

/** The answer for requests whose replica died before answering them: the client stops waiting. */
function lostReplicaErrors(anchor: ParsedEventId): JSONRPCMessage[] {
  let ids: RequestId[];
  try {
    ids = JSON.parse(Buffer.from(anchor.requests, 'base64url').toString('utf8')) as RequestId[];
  } catch {
    return [];
  }
  return ids.map((id) => ({
    jsonrpc: '2.0',
    id,
    error: {
      code: -32603,
      message:
        'The gateway replica running this request stopped before it answered. A tool call may or may not have ' +
        'reached the upstream server: check its trace before retrying anything destructive.',
      data: { code: 'replica_lost', replica: anchor.owner },
    },
  }));
}
