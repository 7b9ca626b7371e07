export * from './upstream-config';
export * from './secret-references';
export * from './transport-factory';
export * from './upstream-connection';
export * from './upstream-pool';
export * from './call-relay';
export * from './abort-isolating-fetch';
export * from './upstream-tokens';
