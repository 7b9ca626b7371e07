import { z } from 'zod';
import { APPROVAL_POLICIES, limitSettingsInputSchema, TRANSPORTS } from '@gatehouse/catalog';
import { loadRuleset, scanSettingsInputSchema } from '@gatehouse/scanner';
import { ROLES } from '@gatehouse/tenancy';
import { ssoSettingsInputSchema } from '@gatehouse/identity';
import { approvalSettingsInputSchema } from '@gatehouse/approvals';
import { traceSettingsInputSchema } from '@gatehouse/audit';
import { exportSettingsInputSchema } from '@gatehouse/telemetry';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (max 63)');
const profileSlug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, dashes or underscores');
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be letters, digits, dot, dash or underscore');

/** Credentials in config are references into the vault, never the values themselves. */
const secretReference = z
  .string()
  .regex(/^\$\{secret:[A-Za-z0-9_.-]+\}$/, 'must be a ${secret:NAME} reference to a vault secret, not the value');

export const serverSchema = z
  .object({
    name,
    transport: z.enum(TRANSPORTS),
    url: z.url().optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
    oauth: z
      .object({
        tokenUrl: z.url(),
        clientId: z.string().min(1),
        clientSecret: secretReference.optional(),
        refreshToken: secretReference.optional(),
        scope: z.string().min(1).optional(),
        resource: z.url().optional(),
        perUser: z.object({ authorizeUrl: z.url() }).strict().optional(),
      })
      .strict()
      .refine((o) => !o.perUser || (o.clientSecret && !o.refreshToken), {
        message: 'perUser needs a clientSecret (for tool discovery) and no shared refreshToken',
      })
      .optional(),
  })
  .strict()
  .superRefine((server, ctx) => {
    if (server.oauth && server.transport === 'stdio')
      ctx.addIssue({ code: 'custom', path: ['oauth'], message: 'OAuth is for http and sse servers' });
    if (server.transport === 'stdio' && !server.command)
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'stdio servers need a command' });
    if (server.transport !== 'stdio' && !server.url)
      ctx.addIssue({ code: 'custom', path: ['url'], message: `${server.transport} servers need a url` });
  });

export const profileToolSchema = z
  .object({
    server: name,
    tool: z.string().min(1),
    as: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'tool names are letters, digits, dot, dash or underscore')
      .optional(),
    description: z.string().min(1).optional(),
    pin: z.record(z.string(), z.unknown()).default({}),
    hide: z.array(z.string()).default([]),
    approval: z.enum(APPROVAL_POLICIES).default('auto'),
  })
  .strict();

export const profileSchema = z
  .object({
    slug: profileSlug,
    description: z.string().optional(),
    tools: z.array(profileToolSchema).default([]),
    resources: z.array(name).default([]),
    prompts: z.array(name).default([]),
  })
  .strict();

export const groupSchema = z
  .object({
    idpGroup: z.string().min(1),
    role: z.enum(ROLES).default('member'),
    profiles: z.array(profileSlug).default([]),
  })
  .strict();

export const localUserSchema = z
  .object({
    email: z.email(),
    name: z.string().optional(),
    groups: z.array(z.string()).default([]),
  })
  .strict();

export const tenantSchema = z
  .object({
    slug,
    name: z.string().min(1),
    servers: z.array(serverSchema).default([]),
    profiles: z.array(profileSchema).default([]),
    groups: z.array(groupSchema).default([]),
    users: z.array(localUserSchema).default([]),
    /** The tenant's SAML IdP. Absent: left as it is (it may be managed through the API). */
    sso: ssoSettingsInputSchema.optional(),
    /** Approval defaults (timeout, who decides, webhook). Absent: left as it is. */
    approvals: approvalSettingsInputSchema.optional(),
    /** Which tools' arguments and results traces keep (full, hashed, none), and for how long. Absent: left as it is. */
    traces: traceSettingsInputSchema.optional(),
    /** Where the tenant's audit stream goes (OTLP/HTTP) and what it carries. Absent: left as it is. */
    export: exportSettingsInputSchema.optional(),
    /** Call limits for the tenant, each user, and each user on a tool. Absent: left as it is. */
    limits: limitSettingsInputSchema.optional(),
    /** Injection, hidden-Unicode, secret and exfiltration scanning of arguments and results. Absent: left as it is. */
    scanning: scanSettingsInputSchema.optional(),
  })
  .strict()
  .superRefine((tenant, ctx) => {
    const servers = new Set(tenant.servers.map((s) => s.name));
    tenant.limits?.tools.forEach((rule, i) => {
      if (!servers.has(rule.server)) {
        ctx.addIssue({ code: 'custom', path: ['limits', 'tools', i, 'server'], message: `no server "${rule.server}" in this tenant` });
      }
    });
    const profiles = new Set(tenant.profiles.map((p) => p.slug));
    if (tenant.scanning?.disable.length) {
      const known = new Set(loadRuleset(process.env.GATEHOUSE_SCANNER_RULES || undefined).rules.map((r) => r.id));
      tenant.scanning.disable.forEach((id, i) => {
        if (!known.has(id)) ctx.addIssue({ code: 'custom', path: ['scanning', 'disable', i], message: `no scanner rule "${id}"` });
      });
    }
    for (const slug of Object.keys(tenant.scanning?.profiles ?? {})) {
      if (!profiles.has(slug)) ctx.addIssue({ code: 'custom', path: ['scanning', 'profiles', slug], message: `no profile "${slug}" in this tenant` });
    }
    tenant.traces?.tools.forEach((rule, i) => {
      if (!servers.has(rule.server)) {
        ctx.addIssue({ code: 'custom', path: ['traces', 'tools', i, 'server'], message: `no server "${rule.server}" in this tenant` });
      }
    });
  });

export const gatehouseConfigSchema = z.object({ tenants: z.array(tenantSchema).min(1, 'declare at least one tenant') }).strict();

export type GatehouseConfig = z.infer<typeof gatehouseConfigSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
export type ProfileConfig = z.infer<typeof profileSchema>;
export type ServerConfig = z.infer<typeof serverSchema>;
