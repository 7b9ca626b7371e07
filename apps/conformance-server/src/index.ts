export {
  startConformanceServer,
  type ConformanceServer,
  type ConformanceServerOptions,
} from './conformance-http-server';
export {
  createConformanceMcpServer,
  CONFORMANCE_SERVER_NAME,
  CONFORMANCE_SERVER_VERSION,
  WATCHED_RESOURCE_URI,
  type ConformanceServerContext,
  type ConformanceServerState,
} from './conformance-mcp-server';
export { InMemoryEventStore } from './event-store';
