import { defineConfig } from 'vitest/config';
import swc from 'unplugin-swc';

// Runs this package's specs without the root config's global setup (which
// provisions Postgres/Redis the demo servers never touch):
//   npx vitest run --config apps/demo-servers/vitest.config.ts
export default defineConfig({
  root: __dirname,
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['src/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
