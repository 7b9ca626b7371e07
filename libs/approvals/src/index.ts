export * from './approval.entity';
