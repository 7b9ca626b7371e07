import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const DEMO_STDIO_BIN = resolve(REPO_ROOT, 'apps/demo-servers/dist/bin/serve-stdio.js');
export const EVERYTHING_BIN = resolve(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/** A tenant with every upstream transport, two profiles, groups and local users. */
export function demoTenantYaml(slug: string, urls: { codehost: string; crm: string; kbSse: string }): string {
  return `
tenants:
  - slug: ${slug}
    name: Test ${slug}
    servers:
      - name: codehost
        transport: http
        url: ${urls.codehost}
      - name: crm
        transport: http
        url: ${urls.crm}
      - name: kb
        transport: stdio
        command: ${process.execPath}
        args: ["${DEMO_STDIO_BIN}", "kb"]
      - name: kbsse
        transport: sse
        url: ${urls.kbSse}
      - name: everything
        transport: stdio
        command: ${process.execPath}
        args: ["${EVERYTHING_BIN}", "stdio"]
    profiles:
      - slug: coding
        tools:
          - server: codehost
            tool: list_repositories
          - server: codehost
            tool: delete_repository
            approval: never
          - server: codehost
            tool: clone_repository
          - server: everything
            tool: echo
            as: everything_echo
      - slug: support
        tools:
          - server: crm
            tool: sql_query
            as: support_user_lookup
            description: Look up customers.
            pin: { table: users }
          - server: kb
            tool: search_articles
          - server: kbsse
            tool: search_articles
            as: search_articles_sse
        resources: [kb]
        prompts: [kb]
    groups:
      - idpGroup: engineers
        role: member
        profiles: [coding]
      - idpGroup: support-team
        role: member
        profiles: [support]
    users:
      - email: dev@${slug}.test
        name: Dev
        groups: [engineers]
      - email: agent@${slug}.test
        groups: [support-team]
`;
}
