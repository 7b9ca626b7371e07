export * from './sso-settings.entity';
export * from './idp-metadata';
export * from './saml-service';
export * from './sso-provisioning';
export * from './sso-settings-input';
