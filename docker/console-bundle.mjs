#!/usr/bin/env node
// Lays out what the console image ships, from `next build` of apps/console (`output: 'standalone'`).
// The Dockerfile runs it, and so do the tests and the demo that start the console, so the image and
// what is tested cannot drift.
//
//   node docker/console-bundle.mjs OUT   the standalone server (server.js + the node_modules files
//                                        Next traced), its static assets and public/, plus
//                                        docker/healthcheck.mjs, copied to OUT
//   node docker/console-bundle.mjs       the same, completed in place in apps/console/.next/standalone
//                                        (what `npm run demo` and e2e/console run)
//
// Next leaves .next/static and public/ out of .next/standalone on purpose (a CDN may serve them);
// here the server serves them itself, so they go next to server.js. Start it with
// `node apps/console/server.js` from OUT: PORT, HOSTNAME and API_URL are read at run time.
//
// Plain Node, no dependencies.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE = 'apps/console';
const HEALTHCHECK = 'docker/healthcheck.mjs';
/** The server inside a laid-out bundle (the standalone tree mirrors the repository from its root). */
export const CONSOLE_SERVER = `${CONSOLE}/server.js`;

/** The standalone tree of the last `next build`, or an error saying how to get one. */
function standaloneOf(root) {
  const build = join(root, CONSOLE, '.next');
  const standalone = join(build, 'standalone');
  if (!existsSync(join(build, 'BUILD_ID'))) throw new Error(`${CONSOLE} is not built: run \`npx next build\` in ${CONSOLE}`);
  if (!existsSync(join(standalone, CONSOLE_SERVER)))
    throw new Error(
      `${CONSOLE}/.next/standalone/${CONSOLE_SERVER} is missing: the build predates output: 'standalone' in next.config.mjs; run \`npx next build\` in ${CONSOLE} again`,
    );
  const buildId = readFileSync(join(build, 'BUILD_ID'), 'utf8');
  if (readFileSync(join(standalone, CONSOLE, '.next/BUILD_ID'), 'utf8') !== buildId)
    throw new Error(`${CONSOLE}/.next/standalone is from another build than ${CONSOLE}/.next: run \`npx next build\` in ${CONSOLE} again`);
  return { build, standalone, buildId };
}

/**
 * Copies `from` to `to` through a sibling temporary directory and a rename, so a server already
 * running from the tree never sees a half-copied folder (the demo and e2e/console may share it).
 */
function copyAtomically(from, to) {
  const staging = `${to}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(from, staging, { recursive: true, preserveTimestamps: true });
  rmSync(to, { recursive: true, force: true });
  renameSync(staging, to);
}

/** Adds what the standalone server needs beside it to `out`, which already holds the standalone tree. */
function complete(root, build, out) {
  copyAtomically(join(build, 'static'), join(out, CONSOLE, '.next/static'));
  if (existsSync(join(root, CONSOLE, 'public'))) copyAtomically(join(root, CONSOLE, 'public'), join(out, CONSOLE, 'public'));
  mkdirSync(join(out, dirname(HEALTHCHECK)), { recursive: true });
  cpSync(join(root, HEALTHCHECK), join(out, HEALTHCHECK));
}

/** The runnable console in `out`; returns the path of its server.js. */
export function layoutConsole(out, root = ROOT) {
  const { build, standalone } = standaloneOf(root);
  mkdirSync(out, { recursive: true });
  // What complete() adds comes from the build itself, never from the standalone tree: the demo or
  // e2e/console may be completing that tree in place right now (staging folders included).
  const added = [join(standalone, CONSOLE, '.next/static'), join(standalone, CONSOLE, 'public'), join(standalone, 'docker')];
  // Next traces sharp (19 MB of native code) for its image optimizer, which the console never runs:
  // next.config.mjs serves images unoptimized. Its outputFileTracingExcludes does not reach the
  // server's own trace under turbopack, so it is left out here.
  const unused = [join(standalone, 'node_modules/sharp'), join(standalone, 'node_modules/@img')];
  const fromNext = (src) =>
    ![...added, ...unused].some((path) => src === path || src.startsWith(`${path}.`) || src.startsWith(`${path}/`));
  cpSync(standalone, out, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, filter: fromNext });
  complete(root, build, out);
  return join(out, CONSOLE_SERVER);
}

/**
 * The standalone tree made runnable where it is; returns the path of its server.js. Done once per
 * build: a new `next build` replaces .next/standalone, and with it the marker.
 */
export function completeStandalone(root = ROOT) {
  const { build, standalone, buildId } = standaloneOf(root);
  const marker = join(standalone, CONSOLE, '.next/static', buildId);
  if (!existsSync(marker)) complete(root, build, standalone);
  return join(standalone, CONSOLE_SERVER);
}

function main(argv) {
  const [outArg] = argv;
  if (argv.length > 1 || outArg?.startsWith('-')) {
    process.stderr.write('usage: node docker/console-bundle.mjs [OUT_DIR]\n');
    process.exit(2);
  }
  const server = outArg ? layoutConsole(resolve(outArg)) : completeStandalone();
  process.stdout.write(`console-bundle: start with \`node ${server}\` (PORT, HOSTNAME, API_URL from the environment)\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`console-bundle: ${error.message}\n`);
    process.exit(1);
  }
}
