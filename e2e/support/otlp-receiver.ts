import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };
const flatten = (attributes: KeyValue[] = []) =>
  Object.fromEntries(attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? a.value.doubleValue]));

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number; message?: string };
}
export interface ReceivedLog {
  body?: string;
  eventName?: string;
  attributes: Record<string, unknown>;
}

/**
 * An OTLP/HTTP receiver (JSON encoding, as the official `-otlp-http` exporters send it): keeps
 * what arrives, in arrival order. It can go down (connections refused) and come back on the
 * same port, like a collector being redeployed.
 */
export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  /** The Authorization header of each export request. */
  const authorizations: string[] = [];
  let server: Server | null = null;
  let port = 0;
  const listen = async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        authorizations.push(req.headers.authorization ?? '');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (req.url === '/v1/traces') {
          for (const rs of body.resourceSpans ?? [])
            for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, attributes: flatten(s.attributes) });
        } else if (req.url === '/v1/logs') {
          for (const rl of body.resourceLogs ?? [])
            for (const sl of rl.scopeLogs ?? [])
              for (const l of sl.logRecords ?? [])
                logs.push({ body: l.body?.stringValue, eventName: l.eventName, attributes: flatten(l.attributes) });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => (server as Server).listen(port, '127.0.0.1', resolve));
    port = ((server as Server).address() as AddressInfo).port;
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      server = null;
    });
  await listen();
  return { url: `http://127.0.0.1:${port}`, spans, logs, authorizations, stop, start: listen };
}
