import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  backend: number;
  method: string;
  sessionId: string | undefined;
  lastEventId: string | undefined;
  /** The JSON-RPC method of a posted message (the first of a batch). */
  rpcMethod: string | undefined;
}

export interface RoundRobinProxy {
  url: string;
  /** Every request with the backend that answered it (recorded when its response headers came). */
  served: Served[];
  /** Every request with the backend it was sent to, recorded as it was sent (an SSE stream's headers may come later). */
  routed: Served[];
  /** Requests being answered by each backend right now. */
  inFlight(backend: number): number;
  /**
   * Sends requests the rule names a backend for to that backend instead of the next one in turn
   * (a test's way of making "lands on another replica" certain); undefined clears it.
   */
  steer(rule: ((request: Omit<Served, 'backend'>) => number | undefined) | undefined): void;
  close(): Promise<void>;
}

/**
 * A load balancer without stickiness, as the issue asks for: each HTTP request (not connection)
 * goes to the next backend in turn. Like real load balancers it moves a request to the next
 * backend when a backend refuses the connection (the request has not reached it), and leaves that
 * backend out for a while, never retrying once a backend accepted the request. SSE responses are streamed through as they come.
 */
export async function startRoundRobinProxy(backends: string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const served: Served[] = [];
  const routed: Served[] = [];
  const inFlight = backends.map(() => 0);
  // Passive health checks (nginx's max_fails/fail_timeout): a backend that refused a connection is
  // skipped for a while.
  const downUntil = backends.map(() => 0);
  const pick = () => {
    for (let i = 0; i < backends.length; i++) {
      const index = next++ % backends.length;
      if ((downUntil[index] ?? 0) <= Date.now()) return index;
    }
    return next++ % backends.length;
  };
  let steer: Parameters<RoundRobinProxy['steer']>[0];
  const describe = (req: IncomingMessage, body: Buffer): Omit<Served, 'backend'> => ({
    method: req.method ?? 'GET',
    sessionId: req.headers['mcp-session-id'] as string | undefined,
    lastEventId: req.headers['last-event-id'] as string | undefined,
    rpcMethod: rpcMethodOf(body),
  });
  const forward = (req: IncomingMessage, body: Buffer, res: import('node:http').ServerResponse, attempt: number) => {
    const index = (attempt === 1 ? steer?.(describe(req, body)) : undefined) ?? pick();
    const target = new URL(req.url ?? '/', backends[index]);
    const route = { ...describe(req, body), backend: index };
    routed.push(route);
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      const request = describe(req, body);
      served.push({ ...request, backend: index, sessionId: request.sessionId ?? (answer.headers['mcp-session-id'] as string | undefined) });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('close', () => {
        inFlight[index] = (inFlight[index] ?? 1) - 1;
        res.end();
      });
    });
    inFlight[index] = (inFlight[index] ?? 0) + 1;
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      inFlight[index] = (inFlight[index] ?? 1) - 1;
      if (error.code === 'ECONNREFUSED') downUntil[index] = Date.now() + 2_000;
      if (error.code === 'ECONNREFUSED') routed.splice(routed.indexOf(route), 1); // it never reached that backend
      if (error.code === 'ECONNREFUSED' && attempt < backends.length) return forward(req, body, res, attempt + 1);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad_gateway', backend: index, message: error.message }));
    });
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, Buffer.concat(chunks), res, 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    routed,
    inFlight: (backend) => inFlight[backend] ?? 0,
    steer: (rule) => void (steer = rule),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function rpcMethodOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { method?: string } | Array<{ method?: string }>;
    return (Array.isArray(parsed) ? parsed[0] : parsed)?.method;
  } catch {
    return undefined;
  }
}
