import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { RunningApi } from '@gatehouse/api';
import { startTestApi } from '../support/test-api';
import { applyYaml, issueToken, openTestDatabase, uniqueSlug } from '../support/test-gateway';

const yaml = (slug: string, name: string, extraUser = '') => `
tenants:
  - slug: ${slug}
    name: ${name}
    servers: [{ name: kb, transport: http, url: "http://127.0.0.1:9/mcp" }]
    profiles: [{ slug: support, tools: [] }]
    groups:
      - { idpGroup: agents, role: member, profiles: [support] }
      - { idpGroup: it, role: admin, profiles: [support] }
    users:
      - { email: admin@${slug}.test, groups: [it] }
      - { email: agent@${slug}.test, groups: [agents] }
${extraUser}`;

describe('GET /api/tenants/{tenant}/audit', () => {
  let db: DataSource;
  let api: RunningApi;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const tokens: Record<string, string> = {};
  const get = (path: string, token: string) => fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    db = await openTestDatabase();
    await applyYaml(db, yaml(acme, 'Acme'));
    await applyYaml(db, yaml(acme, 'Acme Corp', `      - { email: new@${acme}.test, groups: [agents] }`));
    await applyYaml(db, yaml(globex, 'Globex'));
    tokens.admin = await issueToken(db, acme, `admin@${acme}.test`);
    tokens.agent = await issueToken(db, acme, `agent@${acme}.test`);
    tokens.globexAdmin = await issueToken(db, globex, `admin@${globex}.test`);
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
    await db?.destroy();
  });

  it('shows an admin who changed what, with before and after, newest first', async () => {
    const response = await get(`/api/tenants/${acme}/audit?limit=500`, tokens.admin as string);
    expect(response.status).toBe(200);
    const { items } = await response.json();
    const rename = items.find((e: { action: string }) => e.action === 'tenant.update');
    expect(rename).toMatchObject({ actor: 'test', targetType: 'tenant', before: { name: 'Acme' }, after: { name: 'Acme Corp' } });
    expect(items.find((e: { action: string; targetType: string }) => e.action === 'user.create' && e.targetType === 'user')).toBeTruthy();
    const times = items.map((e: { createdAt: string }) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(items.every((e: { tenantId: string }) => e.tenantId === items[0].tenantId)).toBe(true);
  });

  it('pages through the whole log without skipping or repeating an entry', async () => {
    const all = (await (await get(`/api/tenants/${acme}/audit?limit=500`, tokens.admin as string)).json()).items.map(
      (e: { id: string }) => e.id,
    );
    expect(all.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = await (
        await get(`/api/tenants/${acme}/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, tokens.admin as string)
      ).json();
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('filters by action', async () => {
    const { items } = await (await get(`/api/tenants/${acme}/audit?action=tenant.update`, tokens.admin as string)).json();
    expect(items.length).toBe(1);
  });

  it('is for admins of that tenant only', async () => {
    expect((await get(`/api/tenants/${acme}/audit`, tokens.agent as string)).status).toBe(403);
    expect((await get(`/api/tenants/${acme}/audit`, tokens.globexAdmin as string)).status).toBe(404);
    expect((await get(`/api/tenants/${acme}/audit?cursor=garbage`, tokens.admin as string)).status).toBe(400);
  });
});
