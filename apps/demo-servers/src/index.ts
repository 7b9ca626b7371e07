export { createCrmServer, type CrmServerDeps } from './crm/crm-server';
export { CrmDataset } from './crm/crm-dataset';
export { createCodehostServer, type CodehostServerDeps } from './codehost/codehost-server';
export { RepositoryStore, type Repository } from './codehost/repository-store';
export { createKbServer, type KbServerDeps } from './kb/kb-server';
export {
  DEMO_SERVERS,
  DEMO_SERVER_NAMES,
  isDemoServerName,
  type DemoServer,
  type DemoServerName,
} from './demo-servers';
export { ToolExecutionCounter, type ToolExecutionCounts } from './tool-execution-counter';
export { startDemoHttpServer, type DemoHttpServer, type DemoHttpServerOptions } from './http/demo-http-server';
export {
  startDemoSseServer,
  type DemoSseServer,
  type DemoSseServerOptions,
  type LegacySseDemoName,
} from './legacy-sse/demo-sse-server';
