import type { EntityManager } from 'typeorm';
import { AdminAuditEntry } from './admin-audit-entry.entity';

export interface AdminChange {
  tenantId: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

/** Records one admin change (API or `apply`). Callers pass views without secrets. */
export async function recordAdminChange(manager: EntityManager, change: AdminChange): Promise<void> {
  const repo = manager.getRepository(AdminAuditEntry);
  await repo.save(repo.create(change));
}
