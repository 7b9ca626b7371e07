import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortIsolatingFetch } from './abort-isolating-fetch';

describe('abortIsolatingFetch', () => {
  let server: Server;
  let base: string;
  const isolated = abortIsolatingFetch();

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        res.end('data: two\n\n');
      } else if (req.url === '/sse-hang') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n'); // …and never ends
      } // '/hang': never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('leaves no listener on the shared signal once each request is done, JSON or streamed', async () => {
    const shared = new AbortController();
    for (let i = 0; i < 300; i++) {
      const response = await isolated(`${base}/${i % 2 ? 'json' : 'sse'}`, { signal: shared.signal });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toBe(i % 2 ? '{"ok":true}' : 'data: one\n\ndata: two\n\n');
    }
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('still aborts a request in flight when the shared signal aborts', async () => {
    const shared = new AbortController();
    const pending = isolated(`${base}/hang`, { signal: shared.signal });
    await new Promise((r) => setTimeout(r, 50));
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    shared.abort(new Error('transport closed'));
    await expect(pending).rejects.toThrow('transport closed');
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('still aborts a stream being read when the shared signal aborts', async () => {
    const shared = new AbortController();
    const response = await isolated(`${base}/sse-hang`, { signal: shared.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    const next = reader.read();
    shared.abort(new Error('transport closed'));
    await expect(next).rejects.toThrow();
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it("closes a request's stream once its notifications/cancelled has been sent, and only that stream", async () => {
    const shared = new AbortController();
    const post = (path: string, message: object) =>
      isolated(`${base}${path}`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', ...message }), signal: shared.signal });
    const [cancelled, other] = await Promise.all(
      [7, 8].map(async (id) => {
        const reader = (await post('/sse-hang', { id, method: 'tools/call', params: {} })).body!.getReader();
        await reader.read(); // the first event; the answer never comes
        return reader;
      }),
    );
    const cancelledNext = cancelled!.read();
    const otherNext = other!.read();
    await post('/json', { method: 'notifications/cancelled', params: { requestId: 7, reason: 'timed out' } });
    await expect(cancelledNext).rejects.toThrow();
    const stillOpen = await Promise.race([otherNext.then(() => false), new Promise((r) => setTimeout(() => r(true), 100))]);
    expect(stillOpen).toBe(true);
    expect(shared.signal.aborted).toBe(false);
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1); // the other stream's
    await other!.cancel();
  });

  it('rejects at once, with the reason, when the shared signal was already aborted', async () => {
    const shared = new AbortController();
    shared.abort(new Error('already closed'));
    await expect(isolated(`${base}/json`, { signal: shared.signal })).rejects.toThrow('already closed');
  });
});
