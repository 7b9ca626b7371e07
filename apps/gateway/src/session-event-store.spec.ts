import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { SessionEventStore } from './session-event-store';

const message = (id: number, text = 'x'): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: id, progress: id, message: text },
});

async function replay(store: SessionEventStore, after: string): Promise<Array<[string, JSONRPCMessage]>> {
  const sent: Array<[string, JSONRPCMessage]> = [];
  await store.replayEventsAfter(after, { send: async (id, m) => void sent.push([id, m]) });
  return sent;
}

describe('SessionEventStore', () => {
  it('replays the events of the same stream after the given id, skipping priming events', async () => {
    const store = new SessionEventStore({ maxEvents: 100, maxBytes: 1 << 20, answeredRetentionMs: 60_000 });
    const priming = await store.storeEvent('s1', {} as JSONRPCMessage);
    const first = await store.storeEvent('s1', message(1));
    await store.storeEvent('s2', message(99));
    const second = await store.storeEvent('s1', message(2));
    expect(await replay(store, priming)).toEqual([
      [first, message(1)],
      [second, message(2)],
    ]);
    expect(await store.getStreamIdForEventId(first)).toBe('s1');
  });

  it('stays within its event and byte limits, oldest first, and refuses ids it no longer has', async () => {
    const byCount = new SessionEventStore({ maxEvents: 3, maxBytes: 1 << 20, answeredRetentionMs: 60_000 });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await byCount.storeEvent('s', message(i)));
    expect(byCount.size).toBe(3);
    await expect(replay(byCount, ids[0] as string)).rejects.toThrow(/Unknown or expired event id/);
    expect((await replay(byCount, ids[2] as string)).map(([id]) => id)).toEqual([ids[3], ids[4]]);

    const bySize = new SessionEventStore({ maxEvents: 1000, maxBytes: 2_000, answeredRetentionMs: 60_000 });
    for (let i = 0; i < 10; i++) await bySize.storeEvent('s', message(i, 'y'.repeat(500)));
    expect(bySize.size).toBeLessThanOrEqual(3);
  });

  it('forgets an answered request after the retention period, but never a stream still in flight', async () => {
    let now = 0;
    const store = new SessionEventStore({ maxEvents: 1000, maxBytes: 1 << 20, answeredRetentionMs: 60_000 }, () => now);
    const answeredProgress = await store.storeEvent('answered', message(1));
    const answer = await store.storeEvent('answered', { jsonrpc: '2.0', id: 1, result: { content: [] } });
    const inFlight = await store.storeEvent('running', message(2));
    now = 59_000;
    expect((await replay(store, answeredProgress)).map(([id]) => id)).toEqual([answer]); // still resumable
    now = 61_000;
    const later = await store.storeEvent('running', message(3));
    await expect(replay(store, answeredProgress)).rejects.toThrow(/Unknown or expired event id/);
    expect(await store.getStreamIdForEventId(answer)).toBeUndefined();
    now = 10 * 60_000; // a call that runs for ten minutes stays resumable from its first event
    await store.storeEvent('other', message(4));
    expect((await replay(store, inFlight)).map(([id]) => id)).toEqual([later]);
    expect(store.size).toBe(3);
  });
});
