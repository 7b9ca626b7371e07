import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from './config-file';
import { literalCredentialFields, redactValues, serversYaml } from './servers';

describe('servers: what of a server may be logged, warned about and committed', () => {
  it('keeps vault references (alone or after an auth scheme) in the audit view and redacts everything else', () => {
    expect(
      redactValues({
        Authorization: 'Bearer ${secret:crm-token}',
        'X-Pair': '${secret:a} ${secret:b}',
        'X-Api-Key': 'sk_live_4f9a8b7c6d5e',
        Basic: 'Basic dXNlcjpwYXNz',
        Mixed: 'Bearer ${secret:crm-token}extra',
      }),
    ).toEqual({
      Authorization: 'Bearer ${secret:crm-token}',
      'X-Pair': '${secret:a} ${secret:b}',
      'X-Api-Key': '[redacted]',
      Basic: '[redacted]',
      Mixed: '[redacted]',
    });
  });

  it('names the header and env fields that hold a literal value', () => {
    expect(
      literalCredentialFields({
        name: 'crm',
        transport: 'http',
        headers: { Authorization: 'Bearer ${secret:crm-token}', 'X-Api-Key': 'literal' },
        env: { TOKEN: 'plain' },
      }),
    ).toEqual(['headers.X-Api-Key', 'env.TOKEN']);
  });

  it('renders a servers: fragment that gatehouse apply parses back to the same servers', () => {
    const servers = [
      { name: 'crm', transport: 'http' as const, url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer ${secret:crm-token}' } },
      {
        name: 'everything',
        transport: 'stdio' as const,
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-everything'],
        timeoutMs: 5000,
      },
    ];
    const text = serversYaml('acme', servers);
    const config = parseConfig(text.replace('- slug: acme', '- slug: acme\n    name: Acme'), 'fragment.yaml');
    expect(config.tenants[0]?.servers).toEqual([
      { ...servers[0], args: [], env: {}, timeoutMs: 60000 },
      { ...servers[1], env: {}, headers: {} },
    ]);
    expect(parseYaml(text).tenants[0].servers).toEqual(servers);
  });
});
