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
 * The call a message from an upstream belongs to. The SDK reads a Streamable HTTP upstream's
 * response stream (and fulfils 2026-era input_required rounds) inside the async context of the
 * call that sent the request, so the context identifies the call exactly.
 */
export const currentCall = new AsyncLocalStorage<CallRelay>();
