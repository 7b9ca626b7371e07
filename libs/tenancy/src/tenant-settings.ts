import { isDeepStrictEqual } from 'node:util';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** What saving a settings block did, for `apply`'s output and the admin audit log. */
export interface SettingsChange {
  changed: boolean;
  before: object | null;
  after: object;
}

/**
 * Creates or replaces a tenant's one-row settings (`approvals:`, `traces:`, `limits:` …) with
 * `next`, writing only when a field differs, so applying the same file twice changes nothing.
 * Fields are compared by value, whatever order Postgres' jsonb returns object keys in. `view` is
 * what the audit log shows of a row: reduce secrets there ("[set]", header names), never in `next`.
 */
export async function saveTenantSettings<Row extends ObjectLiteral & { tenantId: string }, Next extends Partial<Row>>(
  manager: EntityManager,
  entity: EntityTarget<Row>,
  tenantId: string,
  next: Next,
  view: (settings: Next) => object,
): Promise<SettingsChange> {
  const repo = manager.getRepository(entity);
  const existing = await repo.findOne({ where: { tenantId } as never });
  const current = existing ? (Object.fromEntries(Object.keys(next).map((k) => [k, existing[k]])) as Next) : null;
  const changed = !current || !isDeepStrictEqual(current, next);
  if (changed) await repo.save(repo.create({ ...next, tenantId } as unknown as Row));
  return { changed, before: current ? view(current) : null, after: view(next) };
}
