import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { postedRequestIds, RedisSessionEventStore, type RedisEventStoreLimits } from './redis-event-store';
import { Replica } from './replica';

const limits: RedisEventStoreLimits = { maxEvents: 100, answeredRetentionMs: 60_000, runningRetentionMs: 60_000, resumeWaitMs: 300 };
const progress = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: 't', progress: n },
});
const result = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: { content: [] } });

async function replay(store: RedisSessionEventStore, after: string): Promise<Array<[string, JSONRPCMessage]>> {
  const sent: Array<[string, JSONRPCMessage]> = [];
  await store.replayEventsAfter(after, { send: async (id, m) => void sent.push([id, m]) });
  return sent;
}

async function follow(
  store: RedisSessionEventStore,
  after: string,
  signal = new AbortController().signal,
): Promise<Array<[string, JSONRPCMessage, number]>> {
  const sent: Array<[string, JSONRPCMessage, number]> = [];
  await store.follow(after, async (id, m) => void sent.push([id, m, Date.now()]), signal);
  return sent;
}

/** The events of legacy sessions in Redis: resumable on any replica, never across sessions. */
describe('RedisSessionEventStore', () => {
  let redis: Redis;
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'));
    a = new Replica(redis, 1_000);
    b = new Replica(redis, 1_000);
    await a.start();
    await b.start();
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    redis.disconnect();
  });

  it("replays on replica B what replica A sent on a stream after the client's last event, and only that stream", async () => {
    const session = randomUUID();
    const onA = new RedisSessionEventStore(redis, session, a, limits);
    const onB = new RedisSessionEventStore(redis, session, b, limits);
    const priming = await postedRequestIds.run([7], () => onA.storeEvent('s1', {} as JSONRPCMessage));
    const first = await onA.storeEvent('s1', progress(1));
    await onA.storeEvent('s2', progress(99));
    const second = await onA.storeEvent('s1', progress(2));
    const answer = await onA.storeEvent('s1', result(7));
    // Stored without waiting on the call path: give the writes a moment to land.
    await new Promise((r) => setTimeout(r, 50));
    expect(await onB.getStreamIdForEventId(first)).toBe('s1');
    expect(await replay(onB, priming)).toEqual([
      [first, progress(1)],
      [second, progress(2)],
      [answer, result(7)],
    ]);
    expect((await replay(onB, second)).map(([, m]) => m)).toEqual([result(7)]);
  });

  it("refuses another session's event ids instead of replaying anything", async () => {
    const mine = new RedisSessionEventStore(redis, randomUUID(), a, limits);
    const theirs = new RedisSessionEventStore(redis, randomUUID(), a, limits);
    await theirs.storeEvent('s1', {} as JSONRPCMessage);
    const secret = await theirs.storeEvent('_GET_stream', progress(42));
    await new Promise((r) => setTimeout(r, 50));
    expect(await mine.getStreamIdForEventId(secret)).toBeUndefined();
    await expect(replay(mine, secret)).rejects.toThrow(/another session/);
    await expect(replay(mine, 'not-an-event-id')).rejects.toThrow(/malformed/);
  });

  it('answers the requests of a stream whose replica died with a clear error, once its heartbeat expired', async () => {
    const session = randomUUID();
    const doomed = new Replica(redis, 300);
    await doomed.start();
    const onDoomed = new RedisSessionEventStore(redis, session, doomed, limits);
    const onB = new RedisSessionEventStore(redis, session, b, { ...limits, resumeWaitMs: 2_000 });
    const priming = await postedRequestIds.run([3, 'x'], () => onDoomed.storeEvent('call', {} as JSONRPCMessage));
    await doomed.stop(); // as if killed: no more heartbeats
    const sent = await follow(onB, priming);
    expect(sent.map(([, m]) => m)).toEqual([
      expect.objectContaining({ id: 3, error: expect.objectContaining({ data: expect.objectContaining({ code: 'replica_lost' }) }) }),
      expect.objectContaining({ id: 'x', error: expect.objectContaining({ data: expect.objectContaining({ code: 'replica_lost' }) }) }),
    ]);
    // A later resume finds the same answer stored.
    expect((await follow(onB, priming)).map(([, m]) => (m as { id?: unknown }).id)).toEqual([3, 'x']);
  });

  it('follows a call running on another replica live, event by event, until its answer', async () => {
    const session = randomUUID();
    const onA = new RedisSessionEventStore(redis, session, a, limits);
    const onB = new RedisSessionEventStore(redis, session, b, { ...limits, resumeWaitMs: 5_000 });
    expect(onB.resumesRemoteRequest(await onA.storeEvent('_GET_stream', progress(0)))).toBe(false);
    const priming = await postedRequestIds.run([1], () => onA.storeEvent('slow', {} as JSONRPCMessage));
    expect(onB.resumesRemoteRequest(priming)).toBe(true);
    expect(onA.resumesRemoteRequest(priming)).toBe(false);
    const written: number[] = [];
    const producer = (async () => {
      for (const message of [progress(1), progress(2), progress(3), result(1)]) {
        await new Promise((r) => setTimeout(r, 300));
        written.push(Date.now());
        await onA.storeEvent('slow', message);
      }
    })();
    const sent = await follow(onB, priming);
    await producer;
    expect(sent.map(([, m]) => m)).toEqual([progress(1), progress(2), progress(3), result(1)]);
    // Each event reaches the follower while the call goes on, not in one batch at its end.
    sent.forEach(([, , at], i) => expect(at - (written[i] as number)).toBeLessThan(250));
  });

  it('stops following when the client goes, and hands the client its place back when nothing comes', async () => {
    const session = randomUUID();
    const onA = new RedisSessionEventStore(redis, session, a, limits);
    const idle = await postedRequestIds.run([2], () => onA.storeEvent('idle', {} as JSONRPCMessage));
    const quiet = new RedisSessionEventStore(redis, session, b, { ...limits, resumeWaitMs: 200 });
    expect(await follow(quiet, idle)).toEqual([
      [idle, expect.objectContaining({ method: 'notifications/gatehouse/still_running' }), expect.any(Number)],
    ]);

    const patient = new RedisSessionEventStore(redis, session, b, { ...limits, resumeWaitMs: 60_000 });
    const started = Date.now();
    expect(await follow(patient, idle, AbortSignal.timeout(200))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('sends events unstored while Redis is unavailable, and says so if the client tries to resume one', async () => {
    const offline = new Redis(inject('redisUrl'), { lazyConnect: true });
    const store = new RedisSessionEventStore(offline, randomUUID(), a, limits);
    const id = await store.storeEvent('s1', progress(1));
    await expect(replay(store, id)).rejects.toThrow(/Redis was unavailable/);
    offline.disconnect();
  });
});
