/** The tenant's IdP as the API describes it (certificates as fingerprints only). */
export interface SsoSettingsView {
  idpEntityId: string;
  entryPoint: string;
  idpCertificates: string[];
  logoutUrl: string | null;
  emailAttribute: string;
  displayNameAttribute: string;
  groupsAttribute: string;
  allowIdpInitiated: boolean;
}

/** What Gatehouse is to the IdP: the URLs the IdP team configures. */
export interface ServiceProvider {
  entityId: string;
  acsUrl: string;
  metadataUrl: string;
  loginUrl: string;
}

export interface SsoView {
  settings: SsoSettingsView | null;
  serviceProvider: ServiceProvider;
}
