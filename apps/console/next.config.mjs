import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The console never talks to the database: every /api/* request is forwarded at run time to the
 * API (API_URL) by src/api-forwarder.ts (app/api/[...path]/route.ts), so the session cookie stays same-origin.
 * @type {import('next').NextConfig}
 */
export default {
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  // A self-contained server (.next/standalone: server.js plus only the node_modules files it
  // traces), so the console image needs no `npm ci` and ships none of the servers' dependencies.
  // docker/console-bundle.mjs adds the static assets next to it; tests and the demo run that too.
  output: 'standalone',
  // npm workspaces hoist next and react to the repository root, so tracing starts there: the
  // standalone tree mirrors the repository (server.js lands in apps/console/).
  turbopack: { root: `${here}/../..` },
  outputFileTracingRoot: `${here}/../..`,
  // Prerendered pages stay in memory instead of being copied into .next/ at run time: the image's
  // root filesystem is read-only (compose, Helm), and every replica has its own copy anyway.
  experimental: { isrFlushToDisk: false },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};
