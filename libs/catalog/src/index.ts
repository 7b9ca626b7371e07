export * from './mcp-server.entity';
export * from './profile.entity';
export * from './profile-tool.entity';
export * from './drift-event.entity';
export * from './tool-definition';
export * from './tool-overrides';
export * from './tool-conflicts';
export * from './approval-policy';
