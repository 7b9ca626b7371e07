#!/usr/bin/env node
// The test command: build (stdio demo servers and the CLI run from dist), then every suite.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npx', ['tsc', '-b', 'tsconfig.build.json']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
