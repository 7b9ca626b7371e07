export * from './approval.entity';
export * from './approval-settings.entity';
export * from './approval-queues';
export * from './approval-store';
export * from './approval-outcome';
export * from './approval-service';
export * from './approval-settings-input';
export * from './approval-webhook';
