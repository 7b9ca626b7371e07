import type { FetchLike } from '@modelcontextprotocol/client';

type RequestId = string | number;

/**
 * A fetch that gives every request its own AbortSignal, bridged from the caller's.
 *
 * The SDK's HTTP client transports pass one connection-wide signal to every request, and
 * undici adds an abort listener to that signal per request that goes away only when the request
 * object is garbage-collected (nodejs/undici#3157). On a gateway that keeps one upstream
 * connection busy for weeks, that is thousands of listeners on one signal (warnings, memory, and
 * O(n) listener removal). Here each request gets a private signal, and the one listener on the
 * shared signal is removed as soon as the request no longer needs it: when fetch fails, when a
 * response without a streamed body arrives, or when a streamed (SSE) body has been read to the end.
 * Aborting the shared signal still aborts every request, and every stream, in flight.
 *
 * The private signal also closes the response stream of a request the SDK cancelled (a timeout or
 * the caller's abort). Against a 2025-era upstream the SDK cancels with `notifications/cancelled`
 * and leaves the request's SSE stream open; the upstream sends nothing more on it, so it would stay
 * open for the life of the connection: one socket per call a hanging upstream timed out. Once that
 * notification has been sent, the cancelled request's stream is closed here.
 */
export function abortIsolatingFetch(base: FetchLike = fetch): FetchLike {
  /** SSE response streams still open, by the JSON-RPC id of the request they answer. */
  const openStreams = new Map<RequestId, () => void>();

  const send: FetchLike = async (url, init) => {
    const shared = init?.signal;
    if (!shared) return base(url, init);
    if (shared.aborted) return base(url, init); // rejects at once, with the caller's reason

    const own = new AbortController();
    const forward = () => own.abort(shared.reason);
    shared.addEventListener('abort', forward, { once: true });
    const release = () => shared.removeEventListener('abort', forward);

    let response: Response;
    try {
      response = await base(url, { ...init, signal: own.signal });
    } catch (error) {
      release();
      throw error;
    }
    if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
      // A JSON (or empty) body is read at once by the SDK; nothing long-lived is left to abort.
      release();
      return response;
    }
    const id = jsonRpcMessageOf(init?.body)?.id;
    const done = () => {
      release();
      if (id !== undefined && openStreams.get(id) === close) openStreams.delete(id);
    };
    const close = () => {
      done();
      own.abort(new Error('the request was cancelled'));
    };
    if (id !== undefined) openStreams.set(id, close);
    const tracked = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: done }));
    return new Response(tracked, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  return async (url, init) => {
    const cancelled = cancelledRequestOf(init?.body);
    try {
      return await send(url, init);
    } finally {
      if (cancelled !== undefined) openStreams.get(cancelled)?.();
    }
  };
}

function jsonRpcMessageOf(body: unknown): { id?: RequestId; method?: string; params?: Record<string, unknown> } | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const message: unknown = JSON.parse(body);
    return message !== null && typeof message === 'object' && !Array.isArray(message) ? message : undefined;
  } catch {
    return undefined;
  }
}

/** The request a `notifications/cancelled` body cancels (checked cheaply before parsing). */
function cancelledRequestOf(body: unknown): RequestId | undefined {
  if (typeof body !== 'string' || !body.includes('notifications/cancelled')) return undefined;
  const message = jsonRpcMessageOf(body);
  const requestId = message?.method === 'notifications/cancelled' ? message.params?.requestId : undefined;
  return typeof requestId === 'string' || typeof requestId === 'number' ? requestId : undefined;
}
