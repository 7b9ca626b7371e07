import { readFileSync } from 'node:fs';
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
