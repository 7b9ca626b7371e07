import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The console's production build for the suites that start it (e2e/console in a browser,
 * e2e/deploy as its image would): Next's standalone output, reused when it is there, so a test run
 * pays for `next build` at most once (`npm test` builds it up front in scripts/test.mjs).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CONSOLE_DIR = join(root, 'apps/console');
const NEXT_BIN = join(root, 'node_modules/next/dist/bin/next');
const CONSOLE_BUNDLE = join(root, 'docker/console-bundle.mjs');
/** Where `next build` puts the standalone server (its tree mirrors the repository from the root). */
export const STANDALONE_SERVER = join(CONSOLE_DIR, '.next/standalone/apps/console/server.js');

/** `next build` unless a standalone build is there; a build from before `output: 'standalone'` has no server.js and is redone. */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_DIR, '.next/BUILD_ID')) && existsSync(STANDALONE_SERVER)) return;
  const r = spawnSync(process.execPath, [NEXT_BIN, 'build'], {
    cwd: CONSOLE_DIR,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) throw new Error(`next build failed (${r.status})`);
}

/** The built console made runnable in place (docker/console-bundle.mjs puts the static assets beside server.js); returns server.js. */
export function ensureConsoleRunnable(): string {
  ensureConsoleBuilt();
  const r = spawnSync(process.execPath, [CONSOLE_BUNDLE], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker/console-bundle.mjs failed (${r.status}): ${r.stderr}`);
  return STANDALONE_SERVER;
}
