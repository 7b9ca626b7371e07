import type { EntityManager } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';

/**
 * Config edits of one tenant run one at a time: each transaction takes its tenant row's lock
 * first, so two admins (or an admin and `gatehouse apply`) changing it at once see each other's
 * writes instead of both inserting the same server, mapping or tool.
 */
export function lockTenant(manager: EntityManager, tenantId: string): Promise<Tenant> {
  return manager.findOneOrFail(Tenant, { where: { id: tenantId }, lock: { mode: 'pessimistic_write' } });
}
