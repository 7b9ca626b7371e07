import type { DataSource } from 'typeorm';
import { Trace } from './trace.entity';
import type { TraceRecord } from './trace-record';

/**
 * A batch of traces as ONE parameter: the records travel as a JSON array and Postgres unpacks
 * them with `json_to_recordset`. Compared with TypeORM's multi-row VALUES builder (one bind
 * parameter per column per row) this costs the gateway a single `JSON.stringify` per batch,
 * which the benchmark showed to matter. The column list comes from the entity's metadata, so
 * the statement follows the entity; replays stay idempotent (`ON CONFLICT DO NOTHING`).
 */
export function traceInsertStatement(db: DataSource): string {
  const columns = db.getMetadata(Trace).columns;
  const target = columns.map((c) => `"${c.databaseName}"`).join(', ');
  const source = columns.map((c) => `r."${c.propertyName}"`).join(', ');
  const recordType = columns.map((c) => `"${c.propertyName}" ${db.driver.normalizeType(c)}`).join(', ');
  return `INSERT INTO "${db.getMetadata(Trace).tableName}" (${target}) SELECT ${source} FROM json_to_recordset($1::json) AS r(${recordType}) ON CONFLICT DO NOTHING`;
}

export async function insertTraces(db: DataSource, statement: string, records: TraceRecord[]): Promise<void> {
  await db.query(statement, [JSON.stringify(records)]);
}
