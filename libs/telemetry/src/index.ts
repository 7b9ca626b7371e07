export * from './export-settings.entity';
export * from './telemetry-outbox.entity';
export * from './export-settings-input';
export * from './otlp-records';
export * from './outbox-dispatcher';
