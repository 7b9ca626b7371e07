import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gatehouse/database';
import { AdminAuditEntry } from '@gatehouse/audit';
import { McpServer, ProfileTool } from '@gatehouse/catalog';
import { Tenant } from '@gatehouse/tenancy';
import { applyConfig } from './config-applier';
import { parseConfig } from './config-file';

const slug = `app-${randomBytes(3).toString('hex')}`;
const yaml = (extraTool = '', header = 'Bearer ${secret:crm-token}') => `
tenants:
  - slug: ${slug}
    name: Applier
    servers:
      - name: crm
        transport: http
        url: http://127.0.0.1:9/mcp
        headers: { Authorization: "${header}" }
    profiles:
      - slug: support
        tools:
          - server: crm
            tool: sql_query
            as: lookup${extraTool}
    groups: [{ idpGroup: g, role: approver, profiles: [support] }]
    users: [{ email: A@Example.test, groups: [g] }]
`;

describe('applyConfig', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = createDataSource({ url: inject('databaseUrl') });
    await db.initialize();
  });
  afterAll(async () => db.destroy());

  it('creates everything once, then changes nothing on a second run', async () => {
    const first = await applyConfig(db, parseConfig(yaml()), { actor: 'test' });
    expect(first.changes.map((c) => `${c.action} ${c.kind}`)).toEqual(
      expect.arrayContaining(['create tenant', 'create server', 'create profile', 'create profile-tool', 'create group', 'create user']),
    );
    const second = await applyConfig(db, parseConfig(yaml()), { actor: 'test' });
    expect(second.changes).toEqual([]);
  });

  it('updates and removes what the file no longer declares, and audits each change', async () => {
    const result = await applyConfig(db, parseConfig(yaml('\n          - server: crm\n            tool: other')), { actor: 'alice' });
    expect(result.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([`create profile-tool ${slug}/support/other`]);
    const removed = await applyConfig(db, parseConfig(yaml()), { actor: 'alice' });
    expect(removed.changes.map((c) => `${c.action} ${c.kind}`)).toEqual(['delete profile-tool']);
    const tenant = await db.getRepository(Tenant).findOneOrFail({ where: { slug } });
    expect(await db.getRepository(ProfileTool).count({ where: { tenantId: tenant.id } })).toBe(1);
    const audit = await db.getRepository(AdminAuditEntry).find({ where: { tenantId: tenant.id, actor: 'alice' } });
    expect(audit.map((a) => a.action).sort()).toEqual(['profile-tool.create', 'profile-tool.delete']);
  });

  it('never writes a literal header secret to the audit log, but stores it for the gateway', async () => {
    await applyConfig(db, parseConfig(yaml('', 'Bearer sk-live-0123456789abcdef')), { actor: 'bob' });
    const tenant = await db.getRepository(Tenant).findOneOrFail({ where: { slug } });
    const audit = await db.getRepository(AdminAuditEntry).find({ where: { tenantId: tenant.id, actor: 'bob' } });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('sk-live-0123456789abcdef');
    expect(JSON.stringify(audit[0]?.after)).toContain('[redacted]');
    const server = await db.getRepository(McpServer).findOneOrFail({ where: { tenantId: tenant.id, name: 'crm' } });
    expect(server.headers.Authorization).toBe('Bearer sk-live-0123456789abcdef');
  });
});

describe('applyConfig settings blocks', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = createDataSource({ url: inject('databaseUrl') });
    await db.initialize();
  });
  afterAll(async () => db.destroy());

  // Postgres jsonb stores object keys in its own order (shorter keys first): comparing what was
  // read back with what the file says must not depend on key order, or every apply "changes" them.
  it('applies every tenant settings block once, then changes nothing on a second run', async () => {
    const tenant = `set-${randomBytes(3).toString('hex')}`;
    const file = `
tenants:
  - slug: ${tenant}
    name: Settings
    servers: [{ name: codehost, transport: http, url: http://127.0.0.1:9/mcp }]
    profiles: [{ slug: coding, tools: [{ server: codehost, tool: delete_repository }] }, { slug: support, tools: [] }]
    approvals: { timeout: 5m, approvers: admin, webhook: { url: "https://hooks.example.test/a", secret: "s3cret-value-123" } }
    traces: { payloads: hashed, retention: 30d, tools: [{ server: codehost, tool: delete_repository, payloads: none }] }
    export: { otlp: { endpoint: "https://otel.example.test", headers: { x-api-key: "k-123", authorization: "Bearer t" } }, payloads: hashed }
    limits: { tenant: 1000/min, user: 60/min, tools: [{ server: codehost, tool: delete_repository, perUser: 5/h }] }
    scanning: { mode: flag, profiles: { support: off, coding: block }, allowHosts: [docs.example.test], disable: [injection.addressed-to-model] }
`;
    const first = await applyConfig(db, parseConfig(file), { actor: 'test' });
    expect(first.changes.filter((c) => c.kind.endsWith('settings')).map((c) => `${c.action} ${c.kind}`)).toEqual([
      'create approval-settings',
      'create trace-settings',
      'create export-settings',
      'create limit-settings',
      'create scan-settings',
    ]);
    const second = await applyConfig(db, parseConfig(file), { actor: 'test' });
    expect(second.changes).toEqual([]);
    const changedSecret = await applyConfig(db, parseConfig(file.replace('s3cret-value-123', 's3cret-value-456')), { actor: 'test' });
    expect(changedSecret.changes.map((c) => `${c.action} ${c.kind}`)).toEqual(['update approval-settings']);
  });
});
