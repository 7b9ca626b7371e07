import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Names of the environment variables the server processes read, taken from their zod config
 * schemas (the one place each app reads its environment), so a deployment file that sets a
 * misspelt variable fails a test instead of being silently ignored.
 */
export function appSettings(): Set<string> {
  const root = join(__dirname, '../../..');
  const sources = ['libs/core/src/env-config.ts', 'apps/gateway/src/gateway-config.ts', 'apps/api/src/api-config.ts'];
  const names = new Set(['NODE_OPTIONS']); // Node's own
  for (const file of sources) for (const m of readFileSync(join(root, file), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)) names.add(m[1]);
  return names;
}

/**
 * Names of the environment variables the console reads: those its own code reads (`process.env.X`
 * in app/ and src/, API_URL today) and those Next's standalone server.js reads to listen.
 */
export function consoleSettings(): Set<string> {
  const root = join(__dirname, '../../../apps/console');
  const names = new Set(['PORT', 'HOSTNAME', 'NODE_ENV', 'NEXT_TELEMETRY_DISABLED', 'NODE_OPTIONS']);
  for (const dir of ['app', 'src'])
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true }))
      if (entry.isFile() && /\.tsx?$/.test(entry.name))
        for (const m of readFileSync(join(entry.parentPath, entry.name), 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g))
          names.add(m[1]);
  return names;
}
