import { Group, GroupProfile, Tenant, User, UserGroup } from '@gatehouse/tenancy';
import { DriftEvent, LimitSettings, McpServer, Profile, ProfileTool } from '@gatehouse/catalog';
import { AccessToken, OAuthClient, OAuthRefreshToken, OAuthSigningKey, ServiceSecret, SsoSettings } from '@gatehouse/identity';
import { AdminAuditEntry, Trace, TraceSettings } from '@gatehouse/audit';
import { Approval, ApprovalSettings } from '@gatehouse/approvals';
import { TenantDataKey, VaultSecret } from '@gatehouse/vault';
import { ExportSettings, TelemetryOutbox } from '@gatehouse/telemetry';
import { ScanSettings } from '@gatehouse/scanner';

/** Every table Gatehouse owns, in one list the data source and migrations agree on. */
export const ENTITIES = [
  Tenant,
  User,
  Group,
  GroupProfile,
  UserGroup,
  McpServer,
  Profile,
  ProfileTool,
  DriftEvent,
  LimitSettings,
  ScanSettings,
  AccessToken,
  OAuthClient,
  OAuthRefreshToken,
  OAuthSigningKey,
  ServiceSecret,
  SsoSettings,
  Trace,
  TraceSettings,
  AdminAuditEntry,
  Approval,
  ApprovalSettings,
  TenantDataKey,
  VaultSecret,
  ExportSettings,
  TelemetryOutbox,
];
