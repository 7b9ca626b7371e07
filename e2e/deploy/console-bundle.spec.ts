/**
 * docker/console-bundle.mjs on a small made-up checkout (no `next build` needed): what it lays out
 * for the console image and in place, and the errors it stops with when the build is missing,
 * predates `output: 'standalone'`, or is not the build the standalone tree came from. The real
 * build goes through it in image-bundle.e2e.spec.ts and e2e/console.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const exec = promisify(execFile);

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A checkout with the two scripts and, unless told otherwise, a standalone build with id `build-1`. */
function checkout(dir: string, build: { standalone?: boolean; standaloneId?: string; publicDir?: boolean } = {}): void {
  for (const script of ['docker/console-bundle.mjs', 'docker/healthcheck.mjs']) cpSync(join(ROOT, script), join(dir, script));
  const next = join(dir, 'apps/console/.next');
  write(join(next, 'BUILD_ID'), 'build-1');
  write(join(next, 'static/build-1/_buildManifest.js'), 'self.__BUILD_MANIFEST = {};');
  write(join(next, 'static/chunks/app.js'), 'console.log("app");');
  if (build.publicDir) write(join(dir, 'apps/console/public/robots.txt'), 'User-agent: *');
  if (build.standalone === false) return;
  write(join(next, 'standalone/apps/console/server.js'), 'require("next");');
  write(join(next, 'standalone/apps/console/.next/BUILD_ID'), build.standaloneId ?? 'build-1');
  write(join(next, 'standalone/node_modules/next/package.json'), '{"name":"next"}');
  // Traced by Next for its image optimizer, which the console never runs.
  write(join(next, 'standalone/node_modules/sharp/package.json'), '{"name":"sharp"}');
  write(join(next, 'standalone/node_modules/@img/sharp-libvips-linux-x64/package.json'), '{"name":"@img/sharp-libvips-linux-x64"}');
  write(join(next, 'standalone/node_modules/sharp-like/package.json'), '{"name":"sharp-like"}');
}

async function bundle(dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [join(dir, 'docker/console-bundle.mjs'), ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('docker/console-bundle.mjs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-bundle-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lays out the standalone server, its static assets, public/ and the healthcheck into OUT, and nothing else', async () => {
    checkout(dir, { publicDir: true });
    const out = join(dir, 'out');
    const r = await bundle(dir, out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`node ${join(out, 'apps/console/server.js')}`);
    for (const file of [
      'apps/console/server.js',
      'apps/console/.next/BUILD_ID',
      'node_modules/next/package.json',
      'apps/console/.next/static/build-1/_buildManifest.js',
      'apps/console/.next/static/chunks/app.js',
      'apps/console/public/robots.txt',
      'docker/healthcheck.mjs',
    ])
      expect(existsSync(join(out, file)), file).toBe(true);
    expect(existsSync(join(out, 'docker/console-bundle.mjs'))).toBe(false);
    expect(existsSync(join(out, 'apps/console/.next/standalone'))).toBe(false);
    expect(existsSync(join(out, 'node_modules/sharp'))).toBe(false);
    expect(existsSync(join(out, 'node_modules/@img'))).toBe(false);
    expect(existsSync(join(out, 'node_modules/sharp-like/package.json'))).toBe(true); // only those two are left out
  });

  it('completes the standalone tree in place once per build, leaving a running server’s files alone after that', async () => {
    checkout(dir);
    const standalone = join(dir, 'apps/console/.next/standalone');
    expect((await bundle(dir)).code).toBe(0);
    const asset = join(standalone, 'apps/console/.next/static/chunks/app.js');
    expect(readFileSync(asset, 'utf8')).toBe('console.log("app");');
    const copiedAt = statSync(asset).mtimeMs;
    writeFileSync(join(dir, 'apps/console/.next/static/chunks/app.js'), 'changed, but the same build');
    expect((await bundle(dir)).code).toBe(0);
    expect(statSync(asset).mtimeMs).toBe(copiedAt);
    expect(existsSync(join(standalone, 'docker/healthcheck.mjs'))).toBe(true);
  });

  it('lays out OUT from the build, not from what an in-place completion left or is staging in the standalone tree', async () => {
    checkout(dir);
    const standalone = join(dir, 'apps/console/.next/standalone');
    write(join(standalone, 'apps/console/.next/static.4242.tmp/chunks/half-copied.js'), '');
    write(join(standalone, 'apps/console/.next/static/chunks/stale.js'), '');
    const out = join(dir, 'out');
    expect((await bundle(dir, out)).code).toBe(0);
    expect(existsSync(join(out, 'apps/console/.next/static.4242.tmp'))).toBe(false);
    expect(existsSync(join(out, 'apps/console/.next/static/chunks/stale.js'))).toBe(false);
    expect(existsSync(join(out, 'apps/console/.next/static/chunks/app.js'))).toBe(true);
  });

  it('says to run next build when the console is not built', async () => {
    checkout(dir);
    rmSync(join(dir, 'apps/console/.next'), { recursive: true });
    const r = await bundle(dir, join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/apps\/console is not built: run `npx next build` in apps\/console/);
  });

  it("says so when the build predates output: 'standalone'", async () => {
    checkout(dir, { standalone: false });
    const r = await bundle(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/server\.js is missing: the build predates output: 'standalone'/);
  });

  it('refuses a standalone tree left by another build', async () => {
    checkout(dir, { standaloneId: 'build-0' });
    const r = await bundle(dir, join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/from another build than apps\/console\/\.next/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('prints its usage for anything but one folder', async () => {
    checkout(dir);
    const r = await bundle(dir, 'a', 'b');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: node docker\/console-bundle\.mjs \[OUT_DIR\]/);
  });
});
