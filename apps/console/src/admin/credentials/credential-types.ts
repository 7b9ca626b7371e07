/** A vault secret as the API lists it: names and metadata only, the value never comes back. */
export interface SecretMetadata {
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export const secretPath = (tenant: string, name?: string) =>
  `/api/tenants/${encodeURIComponent(tenant)}/secrets${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
