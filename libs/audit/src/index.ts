export * from './trace.entity';
export * from './admin-audit-entry.entity';
export * from './trace-record';
export * from './trace-spool';
export * from './trace-writer';
export * from './trace-search';
export * from './admin-audit-search';
export * from './keyset-cursor';
