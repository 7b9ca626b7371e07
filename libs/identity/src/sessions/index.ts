export * from './browser-sessions';
