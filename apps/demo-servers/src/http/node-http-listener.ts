/**
 * Starting and stopping a `node:http` server for the demo servers, with the
 * base URL a client should dial. Port 0 binds an ephemeral port; the URL
 * reports the real one, and wildcard binds are reached over loopback.
 */
import type { Server, ServerResponse } from 'node:http';

export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('HTTP server is not bound to a TCP port');
  const dialHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${dialHost}:${address.port}`;
}

/** Closes the server, dropping open connections (SSE streams would otherwise hold it open). */
export async function shutdown(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
