import stringify from 'safe-stable-stringify';

export interface Change {
  action: 'create' | 'update' | 'delete';
  kind: string;
  /** Human name, e.g. `acme/support`. */
  name: string;
  id: string | null;
  before: unknown;
  after: unknown;
}

/**
 * Declarative reconciliation of one collection: rows keyed by `key` are created, updated (only
 * when a compared field differs, which is what makes apply idempotent) or deleted.
 */
export async function reconcile<Row extends { id: string }, Desired>(options: {
  kind: string;
  label: (key: string) => string;
  existing: Row[];
  desired: Desired[];
  keyOfRow: (row: Row) => string;
  keyOfDesired: (d: Desired) => string;
  /** The fields compared and written, from desired state and from the row. */
  fieldsOfDesired: (d: Desired) => Record<string, unknown>;
  fieldsOfRow: (row: Row) => Record<string, unknown>;
  /** What of the compared fields may be written to the audit log (secrets removed). */
  auditView?: (fields: Record<string, unknown>) => Record<string, unknown>;
  create: (d: Desired) => Promise<Row>;
  update: (row: Row, d: Desired) => Promise<Row>;
  remove: (row: Row) => Promise<void>;
}): Promise<{ changes: Change[]; rows: Map<string, Row> }> {
  const changes: Change[] = [];
  const rows = new Map<string, Row>();
  const view = options.auditView ?? ((fields: Record<string, unknown>) => fields);
  const existing = new Map(options.existing.map((r) => [options.keyOfRow(r), r]));
  for (const desired of options.desired) {
    const key = options.keyOfDesired(desired);
    const row = existing.get(key);
    const after = options.fieldsOfDesired(desired);
    if (!row) {
      const created = await options.create(desired);
      rows.set(key, created);
      changes.push({ action: 'create', kind: options.kind, name: options.label(key), id: created.id, before: null, after: view(after) });
      continue;
    }
    existing.delete(key);
    const before = options.fieldsOfRow(row);
    if (stringify(before) !== stringify(after)) {
      rows.set(key, await options.update(row, desired));
      changes.push({
        action: 'update',
        kind: options.kind,
        name: options.label(key),
        id: row.id,
        before: view(before),
        after: view(after),
      });
    } else {
      rows.set(key, row);
    }
  }
  for (const [key, row] of existing) {
    await options.remove(row);
    changes.push({
      action: 'delete',
      kind: options.kind,
      name: options.label(key),
      id: row.id,
      before: view(options.fieldsOfRow(row)),
      after: null,
    });
  }
  return { changes, rows };
}
