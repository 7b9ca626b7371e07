/**
 * The catalogue of demo servers, by name.
 *
 * Each entry instantiates one demo for one process: it creates the demo's data
 * and execution counter once and returns the SDK factory that builds server
 * instances over them. The indirection is needed because the SDK's serving
 * entries call the factory repeatedly (`createMcpHandler`: once per HTTP
 * request; `serveStdio`: once per connection plus a discarded discovery
 * probe), so state kept on an `McpServer` instance would not survive from one
 * call to the next.
 */
import type { McpServerFactory } from '@modelcontextprotocol/server';
import { CODEHOST_TOOLS, createCodehostServer } from './codehost/codehost-server';
import { RepositoryStore } from './codehost/repository-store';
import { CrmDataset } from './crm/crm-dataset';
import { CRM_TOOLS, createCrmServer } from './crm/crm-server';
import { KB_TOOLS, createKbServer } from './kb/kb-server';
import { ToolExecutionCounter, type ToolExecutionCounts } from './tool-execution-counter';

export const DEMO_SERVER_NAMES = ['crm', 'codehost', 'kb'] as const;
export type DemoServerName = (typeof DEMO_SERVER_NAMES)[number];

export interface DemoServer {
  readonly name: DemoServerName;
  /** Pass to `createMcpHandler` or `serveStdio`; every instance shares this demo's data and counts. */
  readonly factory: McpServerFactory;
  /** How many times each tool ran since this demo was instantiated. */
  stats(): ToolExecutionCounts;
}

export const DEMO_SERVERS: Readonly<Record<DemoServerName, () => DemoServer>> = {
  crm: (): DemoServer => {
    const deps = { dataset: new CrmDataset(), counter: new ToolExecutionCounter(CRM_TOOLS) };
    return { name: 'crm', factory: () => createCrmServer(deps), stats: () => deps.counter.snapshot() };
  },
  codehost: (): DemoServer => {
    const deps = { repositories: new RepositoryStore(), counter: new ToolExecutionCounter(CODEHOST_TOOLS) };
    return { name: 'codehost', factory: () => createCodehostServer(deps), stats: () => deps.counter.snapshot() };
  },
  kb: (): DemoServer => {
    const deps = { counter: new ToolExecutionCounter(KB_TOOLS) };
    return { name: 'kb', factory: () => createKbServer(deps), stats: () => deps.counter.snapshot() };
  },
};

export function isDemoServerName(name: string): name is DemoServerName {
  return Object.prototype.hasOwnProperty.call(DEMO_SERVERS, name);
}
