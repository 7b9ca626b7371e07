export * from './config-schema';
export * from './config-file';
export * from './reconcile';
export * from './config-applier';
export * from './group-mappings';
export * from './tool-drift';
export * from './profile-tools';
export * from './servers';
