import { defineConfig } from 'vitest/config';
import swc from 'unplugin-swc';
import { readdirSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

// Resolve every workspace package to its TypeScript source so tests never need a build.
function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const group of ['libs', 'apps']) {
    for (const name of readdirSync(resolve(root, group))) {
      const entry = resolve(root, group, name, 'src/index.ts');
      if (existsSync(entry)) aliases[`@gatehouse/${name}`] = entry;
    }
  }
  return aliases;
}

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias: workspaceAliases() },
  test: {
    include: ['{apps,libs,e2e,bench}/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./scripts/test-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
