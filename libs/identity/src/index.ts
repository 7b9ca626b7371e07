export * from './access-token.entity';
export * from './personal-access-tokens';
export * from './personal-access-token-admin';
export * from './principal-resolver';
export * from './oauth';
export * from './saml';
export * from './sessions';
export * from './secrets/service-secret';
