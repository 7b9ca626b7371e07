import type { Client } from '@modelcontextprotocol/client';

export interface CallOutcome {
  client: string;
  startedAt: number;
  endedAt: number;
  /** Absent when the call succeeded. */
  error?: string;
}

/**
 * Steady load: each client calls `tool` back to back (a few calls in flight per client) until
 * `stop()` is called, recording when every call started and ended and how it failed, if it did.
 */
export function keepCalling(
  clients: Record<string, Client>,
  tool: { name: string; arguments: Record<string, unknown> },
  inFlightPerClient = 3,
): { outcomes: CallOutcome[]; stop(): Promise<void> } {
  const outcomes: CallOutcome[] = [];
  let running = true;
  const loops = Object.entries(clients).flatMap(([name, client]) =>
    Array.from({ length: inFlightPerClient }, async () => {
      while (running) {
        const startedAt = Date.now();
        try {
          const result = await client.callTool(tool);
          outcomes.push({
            client: name,
            startedAt,
            endedAt: Date.now(),
            ...(result.isError ? { error: `tool error: ${JSON.stringify(result.content)}` } : {}),
          });
        } catch (error) {
          outcomes.push({ client: name, startedAt, endedAt: Date.now(), error: String(error) });
          await new Promise((r) => setTimeout(r, 20)); // a failing client retries, it does not spin
        }
      }
    }),
  );
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
