import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The downstream side of one forwarded call: how to reach the client that made it. Upstream
 * servers of the 2025 era send requests (sampling, elicitation, roots) and log notifications
 * while a call runs; these must reach that call's client, not any client.
 */
export interface CallRelay {
  request(request: { method: string; params?: Record<string, unknown> }): Promise<Record<string, unknown>>;
  notify(notification: { method: string; params?: Record<string, unknown> }): Promise<void>;
}

/**
 * The context of one forwarded call. Its relay is removed when the call ends: the async context
 * outlives the call (async resources created while it ran, such as a keep-alive socket to the
 * upstream, keep it for their own lifetime), and a relay reaches the calling client's session,
 * replay buffer of results included, which must not stay in memory for as long as such a socket.
 */
export interface CallContext {
  relay?: CallRelay;
}

/**
 * The call a message from an upstream belongs to. The SDK reads a Streamable HTTP upstream's
 * response stream (and fulfils 2026-era input_required rounds) inside the async context of the
 * call that sent the request, so the context identifies the call exactly.
 */
export const currentCall = new AsyncLocalStorage<CallContext>();
