export * from './ruleset';
export * from './normalize';
export * from './json-strings';
export * from './scanner';
export * from './scan-settings.entity';
export * from './scan-settings-input';
