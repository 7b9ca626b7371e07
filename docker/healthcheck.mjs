#!/usr/bin/env node
// Container health probe for the slim image, which has no curl or wget: GET this container's own
// /healthz (or the path given) and exit 0 on a 2xx, 1 otherwise. Docker's HEALTHCHECK and the
// compose healthchecks run it; Kubernetes uses httpGet probes instead.
//
//   node docker/healthcheck.mjs api|gateway|console [/healthz|/readyz]
const [component, path = '/healthz'] = process.argv.slice(2);
const settings = {
  api: { port: process.env.API_PORT ?? '3001', host: process.env.API_HOST },
  gateway: { port: process.env.GATEWAY_PORT ?? '8080', host: process.env.GATEWAY_HOST },
  // The console is Next's standalone server, which reads PORT and HOSTNAME (its defaults below).
  console: { port: process.env.PORT ?? '3000', host: process.env.HOSTNAME ?? '0.0.0.0' },
}[component];
if (!settings) {
  process.stderr.write('usage: node docker/healthcheck.mjs api|gateway|console [path]\n');
  process.exit(2);
}
// A wildcard listen address is reached on loopback; a specific one only on itself.
const wildcard = !settings.host || ['0.0.0.0', '::', '[::]'].includes(settings.host);
const host = wildcard ? '127.0.0.1' : settings.host.includes(':') && !settings.host.startsWith('[') ? `[${settings.host}]` : settings.host;
try {
  const res = await fetch(`http://${host}:${settings.port}${path}`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) process.stderr.write(`${component} ${path}: HTTP ${res.status}\n`);
  process.exit(res.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`${component} ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
