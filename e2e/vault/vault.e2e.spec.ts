import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { ChildProcess } from 'node:child_process';
import { Tenant } from '@gatehouse/tenancy';
import { LocalMasterKeys, Vault } from '@gatehouse/vault';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { applyYaml, connectClient, openIsolatedDatabase, everyRowAsText, issueToken, uniqueSlug } from '../support/test-gateway';
import { kill, spawnGateway } from '../support/processes';
import { startCredentialEchoUpstream } from '../support/credential-echo-upstream';

const CLI = join(__dirname, '../../apps/cli/bin/gatehouse.js');
const newKey = () => randomBytes(32).toString('base64');

const yaml = (slug: string, url: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers:
      - name: leaky
        transport: http
        url: "${url}"
        headers: { Authorization: "Bearer \${secret:leaky-token}" }
    profiles:
      - slug: main
        tools:
          - { server: leaky, tool: whoami }
          - { server: leaky, tool: fail_loudly }
    groups: [{ idpGroup: admins, role: admin, profiles: [main] }]
    users: [{ email: admin@${slug}.test, groups: [admins] }]
`;

describe('vault: upstream secrets sealed at rest, resolved only in the gateway, never written anywhere', () => {
  let dbUrl: string;
  let db: DataSource;
  let api: RunningApi;
  let gateway: Awaited<ReturnType<typeof spawnGateway>>;
  let upstream: Awaited<ReturnType<typeof startCredentialEchoUpstream>>;
  const keyA = newKey();
  const secret = `tok-${randomBytes(16).toString('hex')}`;
  const replacement = `tok-${randomBytes(16).toString('hex')}`;
  let upstreamExpects = secret;
  const globexSecret = `tok-${randomBytes(16).toString('hex')}`;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const tokens: Record<string, string> = {};
  const children: ChildProcess[] = [];

  const everyRow = () => everyRowAsText(db);
  const putSecret = (tenant: string, name: string, body: unknown) =>
    fetch(`${api.url}/api/tenants/${tenant}/secrets/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens[tenant]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    ({ url: dbUrl, db } = await openIsolatedDatabase('vault'));
    upstream = await startCredentialEchoUpstream((auth) => auth === `Bearer ${upstreamExpects}`);
    await applyYaml(db, yaml(acme, upstream.url));
    await applyYaml(db, yaml(globex, upstream.url));
    tokens[acme] = await issueToken(db, acme, `admin@${acme}.test`);
    tokens[globex] = await issueToken(db, globex, `admin@${globex}.test`);
    api = await startApi(
      loadApiConfig({ DATABASE_URL: dbUrl, REDIS_URL: inject('redisUrl'), API_PORT: '0', LOG_LEVEL: 'silent', GATEHOUSE_MASTER_KEY: keyA }),
    );
  });
  afterAll(async () => {
    for (const child of children) await kill(child);
    await api?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it('takes values write-only through the API: metadata out, never the value, and only ciphertext at rest', async () => {
    const created = await putSecret(acme, 'leaky-token', { value: secret, description: 'Leaky CRM token' });
    expect(created.status).toBe(200);
    const body = await created.text();
    expect(JSON.parse(body)).toMatchObject({ name: 'leaky-token', created: true, description: 'Leaky CRM token' });
    expect(body).not.toContain(secret);
    expect((await putSecret(globex, 'leaky-token', { value: globexSecret })).status).toBe(200);

    const listed = await fetch(`${api.url}/api/tenants/${acme}/secrets`, { headers: { authorization: `Bearer ${tokens[acme]}` } });
    const list = await listed.text();
    expect(JSON.parse(list).items.map((s: { name: string }) => s.name)).toEqual(['leaky-token']);
    expect(list).not.toContain(secret);
    // Bad input: a clear error, nothing stored.
    expect((await putSecret(acme, 'bad name!', { value: 'x' })).status).toBe(400);
    expect((await putSecret(acme, 'empty', { value: '' })).status).toBe(400);

    const rows = await everyRow();
    expect(rows).toContain('secret.create'); // audited…
    expect(rows).not.toContain(secret); // …and nowhere in the clear
    expect(rows).not.toContain(globexSecret);
  });

  it('resolves ${secret:…} in the gateway only; the value reaches the upstream and nothing else', async () => {
    gateway = await spawnGateway({ DATABASE_URL: dbUrl, GATEHOUSE_MASTER_KEY: keyA, LOG_LEVEL: 'debug' }, { captureOutput: true });
    children.push(gateway.process);
    const client = await connectClient(gateway.url, acme, 'main', tokens[acme]!);
    const echoed = await client.callTool({ name: 'whoami', arguments: {} });
    expect(upstream.seen).toContain(`Bearer ${secret}`); // the real value went upstream…
    expect(JSON.stringify(echoed)).not.toContain(secret); // …and did not come back to the client
    expect(echoed.content).toEqual([{ type: 'text', text: 'called with Bearer [secret:leaky-token]' }]);
    const failed = await client.callTool({ name: 'fail_loudly', arguments: {} });
    expect(failed.isError).toBe(true);
    expect(JSON.stringify(failed)).toContain('backend refused Bearer [secret:leaky-token]');
    await client.close();

    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && Number((await db.query(`SELECT count(*) AS n FROM traces`))[0].n) < 2)
      await new Promise((r) => setTimeout(r, 100));
    const rows = await everyRow();
    expect(rows).toContain('[secret:leaky-token]');
    expect(rows).not.toContain(secret);
    expect(gateway.output()).toContain('"name":"gateway"'); // its logs were captured…
    expect(gateway.output()).not.toContain(secret); // …and never printed the value
    for (const path of ['traces', 'audit', 'secrets']) {
      const response = await fetch(`${api.url}/api/tenants/${acme}/${path}`, { headers: { authorization: `Bearer ${tokens[acme]}` } });
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain(secret);
    }
  });

  it('a secret replaced through the API is used by the running gateway at once, without reconnecting', async () => {
    const client = await connectClient(gateway.url, acme, 'main', tokens[acme]!);
    expect((await client.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
    upstreamExpects = replacement; // the backend rotated its credential…
    const put = await putSecret(acme, 'leaky-token', { value: replacement });
    expect(await put.json()).toMatchObject({ created: false });
    await new Promise((r) => setTimeout(r, 300)); // …the admin stored the new one; the gateways hear of it over Redis
    const after = await client.callTool({ name: 'whoami', arguments: {} });
    expect(after.isError).toBeFalsy();
    expect(upstream.seen.at(-1)).toBe(`Bearer ${replacement}`);
    expect(JSON.stringify(after)).not.toContain(replacement);
    await client.close();
    expect(await everyRow()).not.toContain(replacement);
    expect(gateway.output()).not.toContain(replacement);
  });

  it('signs approval webhooks with a secret kept in the vault (the settings hold only its reference)', async () => {
    const hookSecret = `hook-${randomBytes(16).toString('hex')}`;
    expect((await putSecret(acme, 'approvals-webhook', { value: hookSecret })).status).toBe(200);
    const deliveries: Array<{ body: string; signature: string }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        deliveries.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['x-gatehouse-signature']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      await applyYaml(
        db,
        yaml(acme, upstream.url)
          .replace(
            '    servers:',
            `    approvals: { webhook: { url: "${hookUrl}", secret: "\${secret:approvals-webhook}" } }\n    servers:`,
          )
          .replace(
            '          - { server: leaky, tool: fail_loudly }',
            '          - { server: leaky, tool: fail_loudly }\n          - { server: leaky, tool: whoami, as: whoami_held, approval: always }',
          ),
      );
      const client = await connectClient(gateway.url, acme, 'main', tokens[acme]!);
      const held = client.callTool({ name: 'whoami_held', arguments: {} });
      held.catch(() => undefined);
      const deadline = Date.now() + 10_000;
      while (deliveries.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const [delivery] = deliveries;
      const [t, v1] = (delivery?.signature ?? '').split(',').map((part) => part.split('=')[1]);
      expect(v1).toBe(createHmac('sha256', hookSecret).update(`${t}.${delivery?.body}`).digest('hex'));
      const stored = await db.query(`SELECT webhook_secret FROM approval_settings`);
      expect(JSON.stringify(stored)).toContain('${secret:approvals-webhook}');
      expect(JSON.stringify(stored)).not.toContain(hookSecret);
      await client.close();
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('binds each ciphertext to its tenant and name: a value copied to another row does not decrypt', async () => {
    expect((await putSecret(acme, 'decoy', { value: 'decoy-value-123' })).status).toBe(200);
    const acmeId = (await db.getRepository(Tenant).findOneByOrFail({ slug: acme })).id;
    const globexId = (await db.getRepository(Tenant).findOneByOrFail({ slug: globex })).id;
    await db.query(
      `UPDATE vault_secrets SET sealed = (SELECT sealed FROM vault_secrets WHERE tenant_id = $1 AND name = 'leaky-token') WHERE tenant_id = $1 AND name = 'decoy'`,
      [acmeId],
    );
    const vault = new Vault(db, new LocalMasterKeys(Buffer.from(keyA, 'base64')));
    await expect(vault.reveal(acmeId, 'decoy')).rejects.toThrow('its stored value was altered');
    await expect(vault.reveal(globexId, 'leaky-token')).resolves.toBe(globexSecret);
  });

  it('rotates the master key: every data key re-wrapped, every secret still readable, the old key alone refused', async () => {
    const keyB = newKey();
    const rotate = spawnSync(process.execPath, [CLI, 'vault', 'rotate'], {
      env: { ...process.env, DATABASE_URL: dbUrl, GATEHOUSE_MASTER_KEY: keyB, GATEHOUSE_MASTER_KEY_PREVIOUS: keyA },
      encoding: 'utf8',
    });
    expect(rotate.stderr).toBe('');
    expect(rotate.stdout).toContain('re-wrapped 2 data key(s)');
    const acmeId = (await db.getRepository(Tenant).findOneByOrFail({ slug: acme })).id;
    const globexId = (await db.getRepository(Tenant).findOneByOrFail({ slug: globex })).id;
    const vault = new Vault(db, new LocalMasterKeys(Buffer.from(keyB, 'base64')));
    await vault.verifyKeys();
    await expect(vault.reveal(acmeId, 'leaky-token')).resolves.toBe(replacement);
    await expect(vault.reveal(globexId, 'leaky-token')).resolves.toBe(globexSecret);

    // A process started with the old key alone (or no key, or a wrong one) stops at once, saying why.
    for (const key of [keyA, newKey(), undefined]) {
      const start = spawnSync(process.execPath, [CLI, 'start', 'gateway'], {
        env: { ...process.env, DATABASE_URL: dbUrl, GATEWAY_PORT: '0', GATEHOUSE_MASTER_KEY: key ?? '' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(start.status).not.toBe(0);
      expect(start.stderr).toContain(`is wrapped with master key ${new LocalMasterKeys(Buffer.from(keyB, 'base64')).currentKeyId}`);
      expect(start.stderr).toContain('Set GATEHOUSE_MASTER_KEY');
    }
    await expect(
      startApi(
        loadApiConfig({
          DATABASE_URL: dbUrl,
          REDIS_URL: inject('redisUrl'),
          API_PORT: '0',
          LOG_LEVEL: 'silent',
          GATEHOUSE_MASTER_KEY: keyA,
        }),
      ),
    ).rejects.toThrow('is wrapped with master key');
    // A malformed key is refused before anything is read.
    const malformed = spawnSync(process.execPath, [CLI, 'secret', 'list', '--tenant', acme], {
      env: { ...process.env, DATABASE_URL: dbUrl, GATEHOUSE_MASTER_KEY: 'too-short' },
      encoding: 'utf8',
    });
    expect(malformed.status).toBe(1);
    expect(malformed.stderr).toContain('must hold a 256-bit key');
  });
});
