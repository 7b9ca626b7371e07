import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

interface StoredEvent {
  streamId: StreamId;
  message: JSONRPCMessage;
  bytes: number;
}

export interface SessionEventStoreLimits {
  /** Oldest events are dropped past this many. */
  maxEvents: number;
  /** …or past this many bytes of serialized messages (tool results can be large). */
  maxBytes: number;
}

/**
 * The SSE events of ONE legacy session, so a client whose stream dropped (or that the gateway
 * closed mid-call, SEP-1699 polling) can resume with `Last-Event-ID` and miss nothing. One store
 * per session: an event id from another session is simply unknown here, never replayed. Memory
 * is bounded; a client that comes back after its events were evicted gets an error, not a gap.
 */
export class SessionEventStore implements EventStore {
  private readonly events = new Map<EventId, StoredEvent>();
  private counter = 0;
  private bytes = 0;

  constructor(private readonly limits: SessionEventStoreLimits) {}

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.counter += 1;
    const eventId = `${streamId}_${this.counter}`;
    const bytes = JSON.stringify(message).length;
    this.events.set(eventId, { streamId, message, bytes });
    this.bytes += bytes;
    while (this.events.size > this.limits.maxEvents || (this.bytes > this.limits.maxBytes && this.events.size > 1)) {
      const [oldestId, oldest] = this.events.entries().next().value as [EventId, StoredEvent];
      this.events.delete(oldestId);
      this.bytes -= oldest.bytes;
    }
    return eventId;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.events.get(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const anchor = this.events.get(lastEventId);
    if (!anchor) throw new Error(`Unknown or expired event id "${lastEventId}" for this session.`);
    let after = false;
    for (const [eventId, event] of this.events) {
      if (eventId === lastEventId) {
        after = true;
        continue;
      }
      // Priming events carry an id and no message: nothing to replay.
      if (!after || event.streamId !== anchor.streamId || Object.keys(event.message).length === 0) continue;
      await send(eventId, event.message);
    }
    return anchor.streamId;
  }

  get size(): number {
    return this.events.size;
  }
}
