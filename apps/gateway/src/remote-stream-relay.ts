import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventId, JSONRPCMessage } from '@modelcontextprotocol/server';
import type { RedisSessionEventStore } from './redis-event-store';

/**
 * Serves a client's `GET` with `Last-Event-ID` for a request running on another replica: the
 * SSE headers go out at once and every event the producing replica writes to Redis is passed on
 * as it arrives, so progress, relayed sampling/elicitation requests and the result stay live
 * (the client can still act on them, e.g. cancel in time). The SDK's own replay cannot do this:
 * it answers only after the event store returns, then closes streams of requests it is not
 * running.
 */
export async function relayRemoteStream(
  events: RedisSessionEventStore,
  sessionId: string,
  lastEventId: EventId,
  req: IncomingMessage,
  res: ServerResponse,
  retryMs: number,
): Promise<void> {
  if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
    return rpcError(res, 406, 'Not Acceptable: Client must accept text/event-stream');
  }
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const send = async (eventId: EventId, message: JSONRPCMessage): Promise<void> => {
    // A client reading slowly holds the relay back rather than its events piling up here.
    if (!res.write(`event: message\nid: ${eventId}\ndata: ${JSON.stringify(message)}\n\n`)) {
      await once(res, 'drain', { signal: gone.signal }).catch(() => undefined);
    }
  };
  try {
    // The first read decides between a stream and a clear error (an unknown or expired id).
    await events.follow(lastEventId, send, gone.signal, () => startStream(res, sessionId, retryMs));
  } catch (error) {
    if (!res.headersSent) return rpcError(res, 400, (error as Error).message);
    res.destroy(error as Error);
    return;
  }
  res.end();
}

function startStream(res: ServerResponse, sessionId: string, retryMs: number): void {
  if (res.headersSent) return;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'mcp-session-id': sessionId,
  });
  // The reconnection delay the session's own streams announce in their priming event.
  res.write(`retry: ${retryMs}\n\n`);
}

function rpcError(res: ServerResponse, status: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
