#!/usr/bin/env node
// Lays out what the server images ship, from a built checkout. The Dockerfile runs it, and so does
// e2e/deploy/image-bundle.e2e.spec.ts, so the image and the test that starts its bundle cannot drift.
//
//   node docker/bundle.mjs manifests OUT   root package.json + package-lock.json + every workspace's
//                                          package.json: all `npm ci` needs, so the dependency layers
//                                          are rebuilt only when a manifest changes
//   node docker/bundle.mjs app OUT         the built workspace packages the `gatehouse` CLI loads at
//                                          run time (found by following require() in their dist/),
//                                          plus docker/healthcheck.mjs
//   node docker/bundle.mjs plan            what `app` would ship and why it would refuse, as JSON
//
// A workspace ships what its package.json `files` lists (npm's own rule) plus package.json; without
// `files`, everything in its folder except sources, tests and build configuration. `app` refuses a
// bundle whose code requires a package `npm ci --omit=dev` would not install (a devDependency, or
// nothing at all): in a container that is a crash at start, found here at build time instead.
//
// Plain Node, no dependencies: it runs before `npm ci`.
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The one process entry point: `gatehouse migrate | start api | start gateway`. */
const ENTRY = 'apps/cli';
const HEALTHCHECK = 'docker/healthcheck.mjs';
/** Never shipped from a workspace without a `files` list. */
const NOT_SHIPPED = [
  /^src\//,
  /^node_modules\//,
  /^tsconfig.*\.json$/,
  /^project\.json$/,
  /^vitest\.config\./,
  /\.tsbuildinfo$/,
  /\.spec\.[cm]?[jt]s(\.map)?$/,
  /\.d\.[cm]?ts(\.map)?$/,
];

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Workspace folders (relative, posix) by package name, from the root package.json `workspaces`. */
export function workspaces(root = ROOT) {
  const byName = new Map();
  for (const pattern of readJson(join(root, 'package.json')).workspaces ?? []) {
    let dirs;
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = pattern.slice(0, -2);
      dirs = existsSync(join(root, parent)) ? readdirSync(join(root, parent)).map((d) => `${parent}/${d}`) : [];
    } else if (!pattern.includes('*')) {
      dirs = [pattern];
    } else {
      throw new Error(`bundle.mjs understands workspace patterns "dir" and "dir/*", not "${pattern}"`);
    }
    for (const dir of dirs) {
      const manifest = join(root, dir, 'package.json');
      if (existsSync(manifest)) byName.set(readJson(manifest).name, dir);
    }
  }
  return byName;
}

function walk(dir, base = dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, base));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join('/'));
  }
  return out;
}

/** Bare specifiers loaded by compiled CommonJS: require("x"), and import("x") kept for ESM-only packages. */
function requiredSpecifiers(jsFile) {
  const specs = new Set();
  for (const m of readFileSync(jsFile, 'utf8').matchAll(/\b(?:require|import)\(\s*["']([^"'./][^"']*)["']\s*\)/g)) specs.add(m[1]);
  return specs;
}

const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const BUILTINS = new Set(builtinModules);
const isBuiltin = (spec) => spec.startsWith('node:') || BUILTINS.has(packageOf(spec));

/** Files a workspace ships, relative to its folder. */
export function shippedFiles(root, dir) {
  const abs = join(root, dir);
  const manifest = readJson(join(abs, 'package.json'));
  const all = walk(abs).filter((f) => !f.startsWith('node_modules/'));
  if (Array.isArray(manifest.files) && manifest.files.some((entry) => /[*?{[]/.test(entry)))
    throw new Error(`${dir}/package.json "files": list paths, not globs (bundle.mjs matches folders and files by prefix)`);
  const keep = Array.isArray(manifest.files)
    ? all.filter((f) => manifest.files.some((entry) => f === entry.replace(/\/$/, '') || f.startsWith(`${entry.replace(/\/$/, '')}/`)))
    : all.filter((f) => !NOT_SHIPPED.some((re) => re.test(f)));
  return ['package.json', ...keep.filter((f) => f !== 'package.json' && !/\.d\.[cm]?ts(\.map)?$|\.tsbuildinfo$/.test(f))];
}

/**
 * The workspace packages the entry point loads, with the files each ships, and every problem that
 * would break the bundle at run time.
 */
export function planApp(root = ROOT) {
  const byName = workspaces(root);
  const rootManifest = readJson(join(root, 'package.json'));
  const prod = new Set(Object.keys(rootManifest.dependencies ?? {}));
  const dev = new Set(Object.keys(rootManifest.devDependencies ?? {}));
  const problems = [];
  const needed = new Map(); // dir -> shipped files
  const queue = [ENTRY];
  while (queue.length) {
    const dir = queue.shift();
    if (needed.has(dir)) continue;
    if (!existsSync(join(root, dir, 'dist'))) {
      problems.push(`${dir}/dist is missing: build first (npm run build)`);
      needed.set(dir, []);
      continue;
    }
    const files = shippedFiles(root, dir);
    needed.set(dir, files);
    for (const file of files.filter((f) => /\.[cm]?js$/.test(f))) {
      for (const spec of requiredSpecifiers(join(root, dir, file))) {
        if (isBuiltin(spec)) continue;
        const pkg = packageOf(spec);
        if (byName.has(pkg)) queue.push(byName.get(pkg));
        else if (dev.has(pkg) && !prod.has(pkg))
          problems.push(`${dir}/${file} requires "${pkg}", a devDependency: npm ci --omit=dev leaves it out (move it to "dependencies")`);
        else if (!prod.has(pkg))
          problems.push(`${dir}/${file} requires "${pkg}", which the root package.json does not list in "dependencies"`);
      }
    }
  }
  return { packages: needed, problems };
}

function copyManifests(out, root = ROOT) {
  const files = ['package.json', 'package-lock.json', ...[...workspaces(root).values()].map((dir) => `${dir}/package.json`)];
  if (existsSync(join(root, '.npmrc'))) files.push('.npmrc');
  for (const file of files) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    cpSync(join(root, file), join(out, file));
  }
  return files.length;
}

function copyApp(out, root = ROOT) {
  const { packages, problems } = planApp(root);
  if (problems.length) throw new Error(`The server bundle would not run:\n  ${problems.join('\n  ')}`);
  let count = 0;
  for (const [dir, files] of packages) {
    for (const file of files) {
      mkdirSync(dirname(join(out, dir, file)), { recursive: true });
      cpSync(join(root, dir, file), join(out, dir, file), { preserveTimestamps: true });
      count++;
    }
  }
  mkdirSync(join(out, dirname(HEALTHCHECK)), { recursive: true });
  cpSync(join(root, HEALTHCHECK), join(out, HEALTHCHECK));
  return { packages: [...packages.keys()], files: count + 1 };
}

function main(argv) {
  const [mode, outArg] = argv;
  if (mode === 'plan') {
    const { packages, problems } = planApp();
    const plan = { workspaces: Object.fromEntries(workspaces()), packages: Object.fromEntries(packages), problems };
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return;
  }
  if (!['manifests', 'app'].includes(mode) || !outArg) {
    process.stderr.write('usage: node docker/bundle.mjs manifests|app OUT_DIR, or plan\n');
    process.exit(2);
  }
  const out = resolve(outArg);
  mkdirSync(out, { recursive: true });
  if (mode === 'manifests') {
    process.stdout.write(`bundle: ${copyManifests(out)} manifest files -> ${out}\n`);
  } else {
    const { packages, files } = copyApp(out);
    process.stdout.write(`bundle: ${files} files of ${packages.length} workspace packages (${packages.join(', ')}) -> ${out}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bundle: ${error.message}\n`);
    process.exit(1);
  }
}
