/**
 * Sends `notifications/progress` for the request being handled.
 *
 * The v2 SDK has no `sendProgress` helper on the handler context: the client's
 * token arrives as `ctx.mcpReq._meta.progressToken` (the SDK leaves it in
 * `_meta` on both protocol eras) and the notification goes out through
 * `ctx.mcpReq.notify`, which ties it to this request so HTTP transports put it
 * on this request's response stream. No token means the client did not ask
 * for progress, and the spec says not to send any.
 */
import type { ServerContext } from '@modelcontextprotocol/server';

export async function reportProgress(
  ctx: ServerContext,
  progress: number,
  total: number,
  message: string,
): Promise<void> {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return;
  await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total, message } });
}
