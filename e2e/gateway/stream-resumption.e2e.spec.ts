import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { applyYaml, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';

interface Seen {
  method: string;
  sessionId: string | null;
  lastEventId: string | null;
}

/** An SDK client whose HTTP requests are recorded, to see the resumption it performs. */
async function recordingClient(url: string, token: string, seen: Seen[]): Promise<Client> {
  const recordingFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({ method: init?.method ?? 'GET', sessionId: headers.get('mcp-session-id'), lastEventId: headers.get('last-event-id') });
    return fetch(input, init);
  };
  const client = new Client({ name: 'resumption-e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
      fetch: recordingFetch,
    }),
  );
  return client;
}

describe('resumable SSE streams on legacy sessions (SEP-1699)', () => {
  let db: DataSource;
  let upstream: DemoHttpServer;
  let gateway: RunningGateway;
  const tenant = uniqueSlug('resume');
  let token: string;
  const endpoint = () => `${gateway.url}/mcp/${tenant}/coding`;

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(
      db,
      `
tenants:
  - slug: ${tenant}
    name: Resume
    servers: [{ name: codehost, transport: http, url: "${upstream.url}" }]
    profiles: [{ slug: coding, tools: [{ server: codehost, tool: clone_repository, approval: never }, { server: codehost, tool: list_repositories }] }]
    groups: [{ idpGroup: devs, profiles: [coding] }]
    users: [{ email: dev@${tenant}.test, groups: [devs] }]
`,
    );
    token = await issueToken(db, tenant, `dev@${tenant}.test`);
    // Calls running longer than 60 ms get their response stream closed: the client must resume.
    gateway = await startTestGateway({ GATEWAY_SSE_POLL_AFTER_MS: '60', GATEWAY_SSE_RETRY_MS: '20' });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it('delivers every progress notification and the result to a client that resumes after the gateway closed its stream', async () => {
    const seen: Seen[] = [];
    const client = await recordingClient(endpoint(), token, seen);
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'clone_repository', arguments: { name: 'payments-api', steps: 6 } },
      { onprogress: (p) => progress.push(p.progress), resetTimeoutOnProgress: true },
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ cloned: 'payments-api', steps: 6 });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    // The stream really was closed mid-call and resumed with GET + Last-Event-ID.
    expect(seen.some((r) => r.method === 'GET' && r.lastEventId)).toBe(true);
    await client.close();
  });

  it("never replays one session's events into another session", async () => {
    const seenA: Seen[] = [];
    const a = await recordingClient(endpoint(), token, seenA);
    await a.callTool({ name: 'clone_repository', arguments: { name: 'payments-api', steps: 4 } }, { resetTimeoutOnProgress: true });
    const resumedA = seenA.find((r) => r.method === 'GET' && r.lastEventId);
    expect(resumedA?.lastEventId).toBeTruthy();

    const seenB: Seen[] = [];
    const b = await recordingClient(endpoint(), token, seenB);
    const sessionB = seenB.find((r) => r.sessionId)?.sessionId;
    expect(sessionB).toBeTruthy();
    expect(sessionB).not.toBe(resumedA?.sessionId);

    const response = await fetch(endpoint(), {
      method: 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        'mcp-session-id': sessionB as string,
        'last-event-id': resumedA?.lastEventId as string,
        'mcp-protocol-version': '2025-11-25',
      },
      signal: AbortSignal.timeout(2000),
    });
    const body = response.ok ? await readSome(response) : await response.text();
    expect(body).not.toContain('payments-api');
    expect(response.ok).toBe(false);
    await a.close();
    await b.close();
  });

  it("answers a resume of another replica's stream that is unknown or expired with a clear error, not an empty stream", async () => {
    const seen: Seen[] = [];
    const client = await recordingClient(endpoint(), token, seen);
    await client.callTool({ name: 'clone_repository', arguments: { name: 'payments-api', steps: 4 } }, { resetTimeoutOnProgress: true });
    const resumed = seen.find((r) => r.method === 'GET' && r.lastEventId) as Seen;
    // session tag ~ replica ~ stream ~ entry ~ requests: the same session's stream, as if written by a replica long gone.
    const [tag, , stream, , requests] = (resumed.lastEventId as string).split('~');
    const resume = (lastEventId: string, accept = 'text/event-stream') =>
      fetch(endpoint(), {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept, 'mcp-session-id': resumed.sessionId as string, 'last-event-id': lastEventId },
        signal: AbortSignal.timeout(5000),
      });
    const forged = [tag, 'replica-gone', stream, '1-0', requests].join('~');
    const unknown = await resume(forged);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.message).toMatch(/Unknown or expired event id/);
    const notSse = await resume(forged, 'application/json');
    expect(notSse.status).toBe(406);
    await client.close();
  });
});

/** What an SSE stream sends within a short while (it would stay open otherwise). */
async function readSome(response: Response): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  const deadline = Date.now() + 500;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (!chunk || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}
