import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

interface StoredEvent {
  streamId: StreamId;
  message: JSONRPCMessage;
  bytes: number;
}

interface StreamEvents {
  ids: EventId[];
  /** When the stream's response was stored: nothing follows it, so its events only serve a late resume. */
  answeredAt?: number;
}

export interface SessionEventStoreLimits {
  /** Oldest events are dropped past this many. */
  maxEvents: number;
  /** …or past this many bytes of serialized messages (tool results can be large). */
  maxBytes: number;
  /**
   * How long the events of an answered request stay resumable (its client may have lost the
   * connection just before the response arrived). Streams still in flight are never dropped for
   * age: their client must be able to come back however long the call runs.
   */
  answeredRetentionMs: number;
}

/**
 * The SSE events of ONE legacy session, so a client whose stream dropped (or that the gateway
 * closed mid-call, SEP-1699 polling) can resume with `Last-Event-ID` and miss nothing. One store
 * per session: an event id from another session is simply unknown here, never replayed. Memory
 * is bounded by count and bytes, and answered requests are forgotten after a grace period, so a
 * busy session does not keep every result it ever sent. A client that comes back after its events
 * were dropped gets an error, not a gap.
 */
export class SessionEventStore implements EventStore {
  private readonly events = new Map<EventId, StoredEvent>();
  private readonly streams = new Map<StreamId, StreamEvents>();
  /** Answered streams in the order they were answered: the front is always the oldest. */
  private readonly answered: StreamId[] = [];
  private counter = 0;
  private bytes = 0;

  constructor(
    private readonly limits: SessionEventStoreLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const now = this.now();
    this.forgetAnsweredBefore(now - this.limits.answeredRetentionMs);
    this.counter += 1;
    const eventId = `${streamId}_${this.counter}`;
    const bytes = JSON.stringify(message).length;
    this.events.set(eventId, { streamId, message, bytes });
    this.bytes += bytes;
    const stream = this.streams.get(streamId) ?? { ids: [] };
    stream.ids.push(eventId);
    this.streams.set(streamId, stream);
    if (isResponse(message) && stream.answeredAt === undefined) {
      stream.answeredAt = now;
      this.answered.push(streamId);
    }
    while (this.events.size > this.limits.maxEvents || (this.bytes > this.limits.maxBytes && this.events.size > 1)) {
      const [oldestId, oldest] = this.events.entries().next().value as [EventId, StoredEvent];
      this.drop(oldestId, oldest);
      this.streams.get(oldest.streamId)?.ids.shift(); // the oldest event overall is its stream's oldest
    }
    return eventId;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.events.get(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const anchor = this.events.get(lastEventId);
    if (!anchor) throw new Error(`Unknown or expired event id "${lastEventId}" for this session.`);
    const ids = this.streams.get(anchor.streamId)?.ids ?? [];
    for (const eventId of ids.slice(ids.indexOf(lastEventId) + 1)) {
      const event = this.events.get(eventId);
      // Priming events carry an id and no message: nothing to replay.
      if (!event || Object.keys(event.message).length === 0) continue;
      await send(eventId, event.message);
    }
    return anchor.streamId;
  }

  get size(): number {
    return this.events.size;
  }

  private forgetAnsweredBefore(cutoff: number): void {
    while (this.answered.length > 0) {
      const streamId = this.answered[0] as StreamId;
      const stream = this.streams.get(streamId);
      if (stream?.answeredAt !== undefined && stream.answeredAt > cutoff) return;
      this.answered.shift();
      for (const eventId of stream?.ids ?? []) {
        const event = this.events.get(eventId);
        if (event) this.drop(eventId, event);
      }
      this.streams.delete(streamId);
    }
  }

  private drop(eventId: EventId, event: StoredEvent): void {
    this.events.delete(eventId);
    this.bytes -= event.bytes;
  }
}

function isResponse(message: JSONRPCMessage): boolean {
  return 'id' in message && ('result' in message || 'error' in message);
}
