import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { stringify as toYaml } from 'yaml';
import { GatehouseError } from '@gatehouse/core';
import { TenantScope } from '@gatehouse/tenancy';
import { LimitSettings, McpServer, Profile, ProfileTool } from '@gatehouse/catalog';
import { TraceSettings } from '@gatehouse/audit';
import { serverSchema, type ServerConfig } from './config-schema';
import { reconcile, type Change } from './reconcile';
import { recordChanges } from './change-log';
import { lockTenant } from './tenant-lock';

/** A server as a config file declares it (defaults left out), what the console edits and shows. */
export type ServerEntry = z.input<typeof serverSchema>;

/**
 * The `servers:` step of `gatehouse apply`, shared with the console's server editor so that both
 * validate with one schema and store, compare and audit a server the same way. `existing` is what
 * the step may touch: every server of the tenant for `apply` (a file is the whole truth), the one
 * row of that name for a single edit from the console.
 */
export async function reconcileServers(
  scope: TenantScope,
  existing: McpServer[],
  desired: ServerConfig[],
  label: (key: string) => string,
): Promise<{ changes: Change[]; rows: Map<string, McpServer> }> {
  return reconcile({
    kind: 'server',
    label,
    existing,
    desired,
    keyOfRow: (r) => r.name,
    keyOfDesired: (d) => d.name,
    fieldsOfDesired: serverFields,
    fieldsOfRow: (r) => ({
      transport: r.transport,
      url: r.url,
      command: r.command,
      args: r.args,
      env: r.env,
      headers: r.headers,
      oauth: r.oauth ?? null,
      timeoutMs: r.timeoutMs,
    }),
    auditView: (f) => ({
      ...f,
      env: redactValues(f.env as Record<string, string>),
      headers: redactValues(f.headers as Record<string, string>),
    }),
    create: (d) => scope.save(McpServer, scope.create(McpServer, { name: d.name, ...serverFields(d) })),
    update: (row, d) => scope.save(McpServer, Object.assign(row, serverFields(d))),
    remove: async (row) => void (await scope.delete(McpServer, { id: row.id })),
  });
}

/**
 * Header and env values other than `${secret:...}` references never reach the audit log: an
 * admin may paste a literal token (accepted, as `apply` accepts it), but it is not logged.
 */
export function redactValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, isSecretReferenceOnly(v) ? v : '[redacted]']));
}

/**
 * Vault references, optionally after an authorization scheme word (`Bearer ${secret:crm-token}`):
 * nothing in such a value is a credential. Anything else may be one.
 */
function isSecretReferenceOnly(value: string): boolean {
  return /^\s*(?:[A-Za-z][A-Za-z-]*\s+)?(?:\$\{secret:[A-Za-z0-9_.-]+\}\s*)*$/.test(value);
}

/** A server's stored fields as the config file declares them (one list for compare, create and update). */
function serverFields(d: ServerConfig) {
  return {
    transport: d.transport,
    url: d.url ?? null,
    command: d.command ?? null,
    args: d.args,
    env: d.env,
    headers: d.headers,
    oauth: d.oauth ?? null,
    timeoutMs: d.timeoutMs,
  };
}

function entryOf(row: McpServer): ServerEntry {
  return {
    name: row.name,
    transport: row.transport,
    ...(row.url !== null ? { url: row.url } : {}),
    ...(row.command !== null ? { command: row.command } : {}),
    ...(row.args.length ? { args: row.args } : {}),
    ...(Object.keys(row.env).length ? { env: row.env } : {}),
    ...(Object.keys(row.headers).length ? { headers: row.headers } : {}),
    ...(row.timeoutMs !== 60_000 ? { timeoutMs: row.timeoutMs } : {}),
    ...(row.oauth ? { oauth: row.oauth } : {}),
  };
}

/**
 * The tenant's servers as `gatehouse apply` declares them, sorted by name. Header and env values
 * are returned as stored: `${secret:NAME}` references are never resolved here (only a gateway
 * resolves them, at connect time).
 */
export async function readServers(db: DataSource, tenantId: string): Promise<ServerEntry[]> {
  const rows = await new TenantScope(db.manager, tenantId).find(McpServer, {}, { name: 'ASC' });
  return rows.map(entryOf);
}

/** The servers as the `servers:` block of a tenant in a config file, ready to commit. */
export function serversYaml(tenantSlug: string, servers: ServerEntry[]): string {
  return toYaml({ tenants: [{ slug: tenantSlug, servers }] }, { flowCollectionPadding: false });
}

/** Literal (non-reference) header and env values: accepted, but worth a warning before they are committed to a file. */
export function literalCredentialFields(entry: ServerEntry): string[] {
  const fields: string[] = [];
  for (const [block, values] of [
    ['headers', entry.headers],
    ['env', entry.env],
  ] as const) {
    for (const [key, value] of Object.entries(values ?? {})) if (!isSecretReferenceOnly(value)) fields.push(`${block}.${key}`);
  }
  return fields;
}

export interface ServerEditOptions {
  /**
   * Whether stdio servers may be declared through this path. A stdio server is a command the
   * gateway hosts run, so the API refuses it unless the operator switched it on; `apply` (a
   * reviewed file, run by whoever holds the database credentials) always may.
   */
  allowStdio: boolean;
}

/**
 * Creates or replaces one server, validated exactly as an entry of a config file's `servers:`
 * section, through the apply step, audit-logged like `apply`. Every problem is reported at once.
 */
export async function putServer(
  db: DataSource,
  tenantId: string,
  name: string,
  input: unknown,
  actor: string,
  options: ServerEditOptions,
): Promise<{ changes: Change[]; server: ServerEntry }> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new GatehouseError('validation_failed', 'Send the server as a JSON object, as an entry of servers: in a config file.');
  }
  const body = input as Record<string, unknown>;
  if (body.name !== undefined && body.name !== name) {
    throw new GatehouseError(
      'validation_failed',
      `name: the body says "${String(body.name)}", the URL "${name}"; a server is renamed by adding the new one and removing the old.`,
    );
  }
  const parsed = serverSchema.safeParse({ ...body, name });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${['server', ...i.path].join('.')}: ${i.message}`);
    throw new GatehouseError('validation_failed', problems.join('; '), { problems });
  }
  const desired = parsed.data;
  if (desired.transport === 'stdio' && !options.allowStdio) {
    throw new GatehouseError(
      'forbidden',
      'stdio servers run a command on every gateway host, so this API does not accept them unless the operator sets API_ALLOW_STDIO_FROM_CONSOLE=true; declare them in a reviewed config file with gatehouse apply.',
    );
  }
  const changes = await db.transaction(async (manager) => {
    const tenant = await lockTenant(manager, tenantId);
    const scope = new TenantScope(manager, tenantId);
    const { changes } = await reconcileServers(scope, await scope.find(McpServer, { name }), [desired], (key) => `${tenant.slug}/${key}`);
    await recordChanges(scope, changes, actor);
    return changes;
  });
  const row = await new TenantScope(db.manager, tenantId).findOne(McpServer, { name });
  if (!row) throw new GatehouseError('internal', `Server "${name}" was saved but cannot be read back.`);
  return { changes, server: entryOf(row) };
}

/**
 * Removes one server, refused (409) while anything of the tenant still names it: profile tool
 * entries, resources or prompts, call limits, trace rules. `apply` would refuse a file in that
 * state, and silently dropping the tools from profiles is not what "remove a server" means.
 */
export async function removeServer(db: DataSource, tenantId: string, name: string, actor: string): Promise<Change[]> {
  return db.transaction(async (manager) => {
    const tenant = await lockTenant(manager, tenantId);
    const scope = new TenantScope(manager, tenantId);
    const row = await scope.findOne(McpServer, { name });
    if (!row) throw new GatehouseError('not_found', `No server "${name}" in this tenant.`);
    const users = await serverUsers(scope, row);
    if (users.length) {
      throw new GatehouseError('conflict', `Server "${name}" is still used by ${users.join('; ')}: remove those first.`, { usedBy: users });
    }
    const { changes } = await reconcileServers(scope, [row], [], (key) => `${tenant.slug}/${key}`);
    await recordChanges(scope, changes, actor);
    return changes;
  });
}

/** What names the server, in words an admin can act on. */
async function serverUsers(scope: TenantScope, server: McpServer): Promise<string[]> {
  const users: string[] = [];
  const profiles = await scope.find(Profile, {}, { slug: 'ASC' });
  const toolProfileIds = new Set((await scope.find(ProfileTool, { serverId: server.id })).map((t) => t.profileId));
  const using = profiles.filter(
    (p) => toolProfileIds.has(p.id) || p.resourceServerIds.includes(server.id) || p.promptServerIds.includes(server.id),
  );
  if (using.length) users.push(`profile(s) ${using.map((p) => `"${p.slug}"`).join(', ')}`);
  const limits = await scope.manager.findOne(LimitSettings, { where: { tenantId: scope.tenantId } });
  if (limits?.toolRates.some((r) => r.server === server.name)) users.push('call limits (limits.tools)');
  const traces = await scope.manager.findOne(TraceSettings, { where: { tenantId: scope.tenantId } });
  if (traces?.toolRules.some((r) => r.server === server.name)) users.push('trace rules (traces.tools)');
  return users;
}
