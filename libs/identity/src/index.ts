export * from './access-token.entity';
export * from './personal-access-tokens';
export * from './principal-resolver';
export * from './oauth';
export * from './saml';
export * from './sessions';
export * from './secrets/service-secret';
