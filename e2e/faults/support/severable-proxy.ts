import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in the test process between the gateway and a real service (Postgres, Redis), so a
 * test can take the service "down" without touching the machine's shared server, which other
 * test files use at the same time. `sever()` is what a restart looks like from the gateway's
 * side: every open connection is reset and new ones are refused (the port stops listening) until
 * `restore()` listens on the same port again. Nothing is faked above TCP: the gateway speaks the
 * real protocol to the real server through it.
 */
export interface SeverableProxy {
  /** host:port the gateway is pointed at. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  sever(): Promise<void>;
  restore(): Promise<void>;
  /** Connections currently relayed. */
  open(): number;
  /** Connections accepted since start. */
  accepted(): number;
  close(): Promise<void>;
}

export async function startSeverableProxy(target: { host: string; port: number }): Promise<SeverableProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const relay = (client: Socket) => {
    accepted += 1;
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  let server: Server = createServer(relay);
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async sever() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // resetAndDestroy sends RST, as a server process that died would (no orderly FIN).
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      await closed;
    },
    async restore() {
      server = createServer(relay);
      await listen(server, port);
    },
    open: () => sockets.size / 2,
    accepted: () => accepted,
    async close() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** host and port of a service URL (postgres://…, redis://…). */
export function targetOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}
