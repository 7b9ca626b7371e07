import type { Role } from '../../api-client';

export interface GroupMapping {
  idpGroup: string;
  role: Role;
  profiles: string[];
}

/** GET /api/tenants/{t}/groups and the answer to every change: the mappings and their YAML. */
export interface GroupMappingsView {
  items: GroupMapping[];
  profiles: string[];
  yaml: string;
}

export const groupPath = (tenant: string, idpGroup?: string) =>
  `/api/tenants/${encodeURIComponent(tenant)}/groups${idpGroup === undefined ? '' : `/${encodeURIComponent(idpGroup)}`}`;
