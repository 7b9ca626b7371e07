import { describe, expect, it } from 'vitest';
import { ConfigInvalidError, parseConfig } from './config-file';

const valid = `
tenants:
  - slug: acme
    name: Acme
    servers:
      - name: crm
        transport: http
        url: http://127.0.0.1:9001/mcp
      - name: db
        transport: stdio
        command: node
    profiles:
      - slug: support
        tools:
          - server: crm
            tool: sql_query
            pin: { table: users }
    groups:
      - idpGroup: support-team
        profiles: [support]
`;

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'gh.yaml');
  } catch (error) {
    if (error instanceof ConfigInvalidError) return error.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('accepts a valid file and fills defaults', () => {
    const config = parseConfig(valid);
    expect(config.tenants[0]?.profiles[0]?.tools[0]).toMatchObject({ approval: 'auto', hide: [], pin: { table: 'users' } });
    expect(config.tenants[0]?.groups[0]?.role).toBe('member');
  });

  it('rejects two tools exposed under one name, naming both sources and the line', () => {
    const yaml = valid.replace(
      '            pin: { table: users }',
      '            pin: { table: users }\n          - server: db\n            tool: query\n            as: sql_query',
    );
    const [problem] = problems(yaml);
    expect(problem).toMatch(
      /^18: tenants\[0\]\.profiles\[0\]\.tools\[1\]: profile "support": tool name "sql_query" is exposed by both crm\/sql_query and db\/query/,
    );
  });

  it('reports every schema problem with its line', () => {
    const found = problems(valid.replace('transport: http', 'transport: carrier-pigeon').replace('slug: support', 'slug: Support!'));
    expect(found).toEqual([
      expect.stringMatching(/^7: tenants\[0\]\.servers\[0\]\.transport: Invalid option/),
      expect.stringMatching(/^13: tenants\[0\]\.profiles\[0\]\.slug: must be lower-case/),
    ]);
  });

  it('reports every broken cross-reference with its line', () => {
    const yaml = valid
      .replace('profiles: [support]', 'profiles: [support, nope]')
      .replace('- server: crm\n            tool: sql_query', '- server: ghost\n            tool: sql_query');
    expect(problems(yaml)).toEqual([
      expect.stringMatching(/^15: tenants\[0\]\.profiles\[0\]\.tools\[0\]\.server: unknown server "ghost"/),
      expect.stringMatching(/^20: tenants\[0\]\.groups\[0\]\.profiles\[1\]: unknown profile "nope"/),
    ]);
  });

  it('rejects a stdio server without a command and unknown keys', () => {
    const found = problems(valid.replace('command: node', 'cmd: node'));
    expect(found.join('\n')).toMatch(/stdio servers need a command/);
    expect(found.join('\n')).toMatch(/Unrecognized key/i);
  });

  it('reports YAML syntax errors with a line', () => {
    const found = problems('tenants:\n  - slug: acme\n   name: [unclosed');
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(/^\d+: /);
  });
});
