/**
 * Tells every gateway replica that a tenant's configuration changed (tokens, groups, tool
 * approvals), so none keeps serving from a cache what an admin just took away. Resolves false
 * when Redis could not be reached: the change is saved, gateways pick it up when their cache
 * entries expire (seconds), and the caller can say so.
 */
export abstract class ConfigChangeAnnouncer {
  abstract announce(tenantId: string, reason: string): Promise<boolean>;
}
