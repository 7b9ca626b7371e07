#!/usr/bin/env node
// The test command: build (stdio demo servers and the CLI run from dist; the console's browser
// tests run its production build), then every suite.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npx', ['tsc', '-b', 'tsconfig.build.json']);
// Once per run, so e2e/console and e2e/deploy start the standalone server.js of a fresh build
// (GATEHOUSE_SKIP_CONSOLE_BUILD=1 reuses the last one).
if (!process.env.GATEHOUSE_SKIP_CONSOLE_BUILD) {
  const r = spawnSync('npx', ['next', 'build'], { cwd: 'apps/console', stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
