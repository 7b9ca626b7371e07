import type { Redis } from 'ioredis';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { SessionState } from '@gatehouse/proxy';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const SESSION_BUS_CHANNEL = 'gatehouse:session-bus';

/** What one replica tells the others holding the same 2025-era session. */
export type SessionBusMessage =
  /** A message the client posted that is not a request (a response to a relayed sampling or
   *  elicitation request, `notifications/cancelled`, …): the replica it concerns may be another. */
  | { kind: 'client'; session: string; from: string; message: JSONRPCMessage }
  /** The session's log level or resource subscriptions changed. */
  | { kind: 'state'; session: string; from: string; state: SessionState }
  /** The client ended the session (DELETE). */
  | { kind: 'closed'; session: string; from: string };

/**
 * One Redis pub/sub channel for every session (replicas filter by the sessions they hold), so
 * the number of Redis subscriptions does not grow with sessions. The traffic is small: only
 * client messages that are not requests, and session-state changes, cross it.
 */
export class SessionBus {
  constructor(
    private readonly publisher: Redis,
    private readonly replicaId: string,
  ) {}

  async publish(message: DistributiveOmit<SessionBusMessage, 'from'>): Promise<void> {
    await this.publisher.publish(SESSION_BUS_CHANNEL, JSON.stringify({ ...message, from: this.replicaId }));
  }

  /** Delivers other replicas' messages; `subscriber` is a connection dedicated to subscriptions. */
  async subscribe(subscriber: Redis, deliver: (message: SessionBusMessage) => void): Promise<void> {
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== SESSION_BUS_CHANNEL) return;
      let message: SessionBusMessage;
      try {
        message = JSON.parse(raw) as SessionBusMessage;
      } catch {
        return; // not ours to act on
      }
      if (message.from !== this.replicaId) deliver(message);
    });
    await subscriber.subscribe(SESSION_BUS_CHANNEL);
  }
}
