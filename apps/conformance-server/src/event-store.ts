/**
 * In-memory `EventStore` for one sessionful 2025-era transport: it makes SSE
 * streams resumable (priming events, `Last-Event-ID` replay after the server
 * closes a stream mid-call, SEP-1699).
 */
import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

interface StoredEvent {
  readonly streamId: StreamId;
  readonly message: JSONRPCMessage;
}

export class InMemoryEventStore implements EventStore {
  private readonly events = new Map<EventId, StoredEvent>();
  private counter = 0;

  /** @param maxEvents oldest events are dropped past this many (bounded memory). */
  constructor(private readonly maxEvents = 5_000) {}

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.counter += 1;
    const eventId = `${streamId}_${this.counter}`;
    this.events.set(eventId, { streamId, message });
    while (this.events.size > this.maxEvents) {
      const oldest = this.events.keys().next().value;
      if (oldest === undefined) break;
      this.events.delete(oldest);
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
    if (!anchor) throw new Error(`Unknown event id ${lastEventId}`);
    let after = false;
    for (const [eventId, event] of this.events) {
      if (eventId === lastEventId) {
        after = true;
        continue;
      }
      if (!after || event.streamId !== anchor.streamId) continue;
      // Priming events are stored as `{}`: they carry an id, never a message.
      if (Object.keys(event.message).length === 0) continue;
      await send(eventId, event.message);
    }
    return anchor.streamId;
  }
}
