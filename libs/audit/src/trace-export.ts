import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { Trace } from './trace.entity';
import { parseTraceQuery, resolveTimeRange, traceFilterSchema, whereTraceFilter, type TimeRange } from './trace-filter';
import { TRACE_CSV_HEADER, traceCsvRow } from './trace-csv';

export const TRACE_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type TraceExportFormat = (typeof TRACE_EXPORT_FORMATS)[number];

export const traceExportQuerySchema = traceFilterSchema.extend({ format: z.enum(TRACE_EXPORT_FORMATS) });
export type TraceExportQuery = z.input<typeof traceExportQuerySchema>;

export const TRACE_EXPORT_CONTENT_TYPES: Record<TraceExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

export interface TraceExport {
  format: TraceExportFormat;
  contentType: string;
  /** The file's text, in chunks of one batch each, newest trace first. */
  chunks: AsyncIterable<string>;
}

/** Rows per query: large enough to keep round trips rare, small enough that memory stays flat. */
const BATCH = 1000;

/**
 * Every trace matching the filters, for a download. Filters are checked here, before anything is
 * sent, so a bad one is a 400 and never a truncated file. The rows are read in keyset batches on
 * (created_at, id), the search's index order, and nothing is held beyond one batch: the export
 * of millions of traces costs one batch of memory, and a slow reader pauses the reading.
 */
export function exportTraces(db: DataSource, tenantId: string, rawQuery: TraceExportQuery, batchSize = BATCH): TraceExport {
  const query = parseTraceQuery(traceExportQuerySchema, rawQuery);
  // Relative bounds ("1h") are fixed once, so every batch reads the same window.
  const range = resolveTimeRange(query);
  const line = query.format === 'csv' ? traceCsvRow : (t: Trace) => `${JSON.stringify(t)}\n`;
  async function* chunks(): AsyncGenerator<string> {
    if (query.format === 'csv') yield TRACE_CSV_HEADER;
    for await (const batch of traceBatches(db, tenantId, query, range, batchSize)) yield batch.map(line).join('');
  }
  return { format: query.format, contentType: TRACE_EXPORT_CONTENT_TYPES[query.format], chunks: chunks() };
}

async function* traceBatches(
  db: DataSource,
  tenantId: string,
  filter: z.output<typeof traceFilterSchema>,
  range: TimeRange,
  batchSize: number,
): AsyncGenerator<Trace[]> {
  let after: Trace | undefined;
  for (;;) {
    const qb = whereTraceFilter(db.getRepository(Trace).createQueryBuilder('t'), tenantId, filter, range);
    if (after) qb.andWhere('(t.created_at, t.id) < (:ct, :cid)', { ct: after.createdAt, cid: after.id });
    const rows = await qb.orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').take(batchSize).getMany();
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1];
  }
}
