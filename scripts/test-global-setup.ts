import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { dropDatabase, migrate } from '../libs/database/src';

/**
 * One throw-away database per test run, migrated with the committed migrations (never
 * `synchronize`), dropped at the end. Tests read its URL with `inject('databaseUrl')`.
 * One temporary directory per run too: TMPDIR points into it for the test workers and every
 * process they start (spools, journals, logs, bundles), and it is removed at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  process.env.TMPDIR = scratch;
  const base = process.env.GATEHOUSE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432';
  const url = `${base}/gatehouse_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await migrate(url);
  project.provide('databaseUrl', url);
  project.provide('redisUrl', process.env.GATEHOUSE_TEST_REDIS ?? 'redis://127.0.0.1:6379');
  return async () => {
    if (!process.env.GATEHOUSE_KEEP_TEST_DB) await dropDatabase(url);
    rmSync(scratch, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}
