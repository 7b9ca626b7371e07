import type { FetchLike } from '@modelcontextprotocol/client';

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
 */
export function abortIsolatingFetch(base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
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
    const tracked = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: release }));
    return new Response(tracked, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
