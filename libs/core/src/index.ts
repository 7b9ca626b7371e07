export * from './errors';
export * from './env-config';
export * from './logger';
export * from './redis-lock';
export * from './process-identity';
