import { appendFile, mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TraceRecord } from './trace-record';

/**
 * Durable local overflow for traces that could not be written to Postgres. Append-only JSON
 * lines, one file per process; a replayer claims a file by renaming it (atomic), waits a grace
 * period for appends already in flight, then reads it. Local disk rather than Redis because
 * Redis may be the thing that is down, and it is commonly run without persistence.
 */
export class TraceSpool {
  private readonly ownFile: string;

  constructor(
    private readonly dir: string,
    private readonly graceMs = 250,
  ) {
    this.ownFile = join(dir, `traces-${process.pid}-${Date.now()}.jsonl`);
  }

  async append(records: TraceRecord[]): Promise<void> {
    if (records.length === 0) return;
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.ownFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n', { flush: true });
  }

  /**
   * Hands each spooled batch to `sink`; a file is deleted only after `sink` succeeded for all of
   * it, so a failure mid-way leaves it for the next attempt (the sink must be idempotent).
   */
  async replay(sink: (records: TraceRecord[]) => Promise<void>, batchSize = 500): Promise<number> {
    let files: string[];
    try {
      files = (await readdir(this.dir)).filter((f) => f.endsWith('.jsonl') || f.endsWith('.claimed'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    let replayed = 0;
    for (const file of files) {
      const claimed = join(this.dir, file.endsWith('.claimed') ? file : `${file}.${process.pid}.claimed`);
      if (!file.endsWith('.claimed')) {
        try {
          await rename(join(this.dir, file), claimed);
        } catch {
          continue; // another replayer claimed it first
        }
        await new Promise((r) => setTimeout(r, this.graceMs));
      }
      const lines = (await readFile(claimed, 'utf8')).split('\n').filter(Boolean);
      const records = lines.map((line) => JSON.parse(line) as TraceRecord);
      for (let i = 0; i < records.length; i += batchSize) {
        await sink(records.slice(i, i + batchSize));
      }
      await unlink(claimed);
      replayed += records.length;
    }
    return replayed;
  }

  async pendingFiles(): Promise<number> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith('.jsonl') || f.endsWith('.claimed')).length;
    } catch {
      return 0;
    }
  }
}
