export * from './master-keys';
export * from './secret-box';
export * from './vault.entity';
export * from './vault';
export * from './secret-redactor';
export * from './secret-lookup';
