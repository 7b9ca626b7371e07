import { AdminAuditEntry } from '@gatehouse/audit';
import type { TenantScope } from '@gatehouse/tenancy';
import type { Change } from './reconcile';

/** Writes reconciled changes to the admin audit log, in the caller's transaction. */
export async function recordChanges(scope: TenantScope, changes: Change[], actor: string): Promise<void> {
  for (const change of changes) {
    await scope.save(
      AdminAuditEntry,
      scope.create(AdminAuditEntry, {
        actor,
        action: `${change.kind}.${change.action}`,
        targetType: change.kind,
        targetId: change.id,
        before: change.before,
        after: change.after,
      }),
    );
  }
}
