import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { findToolNameConflicts, describeConflict } from '@gatehouse/catalog';
import { gatehouseConfigSchema, type GatehouseConfig, type ProfileConfig } from './config-schema';

export interface ConfigProblem {
  line: number;
  column: number;
  path: string;
  message: string;
}

export class ConfigInvalidError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `${file} is invalid:\n${problems.map((p) => `  ${file}:${p.line}:${p.column} ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigInvalidError';
  }
}

export type Path = Array<string | number>;

/** Parses and validates a config file; every problem is reported with its file:line:column. */
export async function loadConfigFile(file: string): Promise<GatehouseConfig> {
  return parseConfig(await readFile(file, 'utf8'), file);
}

export function parseConfig(text: string, file = 'config.yaml'): GatehouseConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const locate = (path: Path, message: string): ConfigProblem => {
    const { line, col } = positionOf(doc, lineCounter, path);
    return { line, column: col, path: formatPath(path), message };
  };
  if (doc.errors.length > 0) {
    throw new ConfigInvalidError(
      file,
      doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? 1,
        column: e.linePos?.[0]?.col ?? 1,
        path: '',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  const parsed = gatehouseConfigSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ConfigInvalidError(
      file,
      parsed.error.issues.map((i) => locate(i.path as Path, i.message)),
    );
  }
  const problems = crossReferenceProblems(parsed.data).map((p) => locate(p.path, p.message));
  if (problems.length > 0) throw new ConfigInvalidError(file, problems);
  return parsed.data;
}

/** Checks a schema alone cannot: references between sections, duplicates, name conflicts. */
function crossReferenceProblems(config: GatehouseConfig): Array<{ path: Path; message: string }> {
  const problems: Array<{ path: Path; message: string }> = [];
  const duplicates = (values: string[], basePath: Path, field: string, what: string) => {
    const seen = new Set<string>();
    values.forEach((v, i) => {
      if (seen.has(v)) problems.push({ path: [...basePath, i, field], message: `duplicate ${what} "${v}"` });
      seen.add(v);
    });
  };
  duplicates(
    config.tenants.map((t) => t.slug),
    ['tenants'],
    'slug',
    'tenant',
  );
  config.tenants.forEach((tenant, ti) => {
    const base: Path = ['tenants', ti];
    const servers = new Set(tenant.servers.map((s) => s.name));
    const profiles = new Set(tenant.profiles.map((p) => p.slug));
    const groups = new Set(tenant.groups.map((g) => g.idpGroup));
    duplicates(
      tenant.servers.map((s) => s.name),
      [...base, 'servers'],
      'name',
      'server',
    );
    duplicates(
      tenant.profiles.map((p) => p.slug),
      [...base, 'profiles'],
      'slug',
      'profile',
    );
    duplicates(
      tenant.groups.map((g) => g.idpGroup),
      [...base, 'groups'],
      'idpGroup',
      'group',
    );
    duplicates(
      tenant.users.map((u) => u.email.toLowerCase()),
      [...base, 'users'],
      'email',
      'user',
    );
    tenant.profiles.forEach((profile, pi) => {
      const pbase: Path = [...base, 'profiles', pi];
      for (const problem of profileToolProblems(profile, servers))
        problems.push({ path: [...pbase, ...problem.path], message: problem.message });
      for (const field of ['resources', 'prompts'] as const) {
        profile[field].forEach((s, i) => {
          if (!servers.has(s)) problems.push({ path: [...pbase, field, i], message: `unknown server "${s}"` });
        });
      }
    });
    tenant.groups.forEach((group, gi) => {
      group.profiles.forEach((p, i) => {
        if (!profiles.has(p)) problems.push({ path: [...base, 'groups', gi, 'profiles', i], message: `unknown profile "${p}"` });
      });
    });
    tenant.users.forEach((user, ui) => {
      user.groups.forEach((g, i) => {
        if (!groups.has(g))
          problems.push({ path: [...base, 'users', ui, 'groups', i], message: `unknown group "${g}" (declare it under groups)` });
      });
    });
  });
  return problems;
}

/**
 * What a profile's tool entries must satisfy beyond the schema: known servers, nothing both pinned
 * and hidden, no two entries exposed under one name. Paths are relative to the profile. Shared by
 * config files and the console's profile editor.
 */
export function profileToolProblems(
  profile: Pick<ProfileConfig, 'slug' | 'tools'>,
  servers: Set<string>,
): Array<{ path: Path; message: string }> {
  const problems: Array<{ path: Path; message: string }> = [];
  profile.tools.forEach((tool, i) => {
    if (!servers.has(tool.server))
      problems.push({ path: ['tools', i, 'server'], message: `unknown server "${tool.server}" (declare it under servers)` });
    const overlap = tool.hide.filter((h) => h in tool.pin);
    if (overlap.length)
      problems.push({
        path: ['tools', i, 'hide'],
        message: `"${overlap.join('", "')}" is both pinned and hidden; pin alone hides it`,
      });
  });
  const sources = profile.tools.map((t) => ({ exposedName: t.as ?? t.tool, server: t.server, tool: t.tool }));
  for (const conflict of findToolNameConflicts(sources)) {
    const index = sources.lastIndexOf(conflict.sources[conflict.sources.length - 1] as (typeof sources)[number]);
    problems.push({ path: ['tools', index], message: `profile "${profile.slug}": ${describeConflict(conflict)}` });
  }
  return problems;
}

function positionOf(doc: Document, lineCounter: LineCounter, path: Path): { line: number; col: number } {
  // Walk up until a node of the path exists (a missing key is reported where its parent is).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
