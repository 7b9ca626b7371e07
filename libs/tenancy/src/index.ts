export * from './tenant.entity';
export * from './user.entity';
export * from './group.entity';
export * from './tenant-scope';
export * from './tenant-settings';
