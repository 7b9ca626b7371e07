import type { DataSource } from 'typeorm';
import type { Logger } from '@gatehouse/core';
import { insertTraces, traceInsertStatement } from './trace-insert';
import type { TraceRecord } from './trace-record';
import { TraceSpool } from './trace-spool';
import { TraceJournal, type JournalSegment } from './trace-journal';

interface Buffered {
  trace: TraceRecord;
  /** The journal segment holding it; null when the journal could not be written. */
  segment: JournalSegment | null;
}

export interface TraceWriterOptions {
  spoolDir: string;
  /** Rows per INSERT. */
  batchSize?: number;
  /** How long a record may wait in memory before a flush. */
  flushIntervalMs?: number;
  /** Above this many buffered records, new ones go straight to the spool. */
  maxBuffered?: number;
  /** First retry delay after Postgres failed; doubles up to 30 s. */
  retryBaseMs?: number;
}

export interface TraceWriterStats {
  written: number;
  spooled: number;
  replayed: number;
  buffered: number;
}

/**
 * The trace pipeline's write side. `record()` is synchronous and O(1) — the call path never
 * waits on Postgres: it appends the trace to the local journal (so not even a SIGKILL loses it)
 * and buffers it. Batches go to Postgres; when that fails their journal segments become the disk
 * spool and are replayed (idempotently, by trace id) once Postgres answers again. Nothing is dropped.
 */
export class TraceWriter {
  private buffer: Buffered[] = [];
  private readonly journal: TraceJournal;
  private journalFailing = false;
  private rotateTimer: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private postgresDown = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** A spool replay is running; `replayWanted`: another was asked for meanwhile. */
  private replaying = false;
  private replayWanted = false;
  private retryDelay: number;
  private readonly spool: TraceSpool;
  private readonly stats: TraceWriterStats = { written: 0, spooled: 0, replayed: 0, buffered: 0 };
  private closed = false;
  private insertStatement: string | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
    private readonly options: TraceWriterOptions,
  ) {
    this.spool = new TraceSpool(options.spoolDir);
    this.journal = new TraceJournal(options.spoolDir);
    this.retryDelay = options.retryBaseMs ?? 500;
  }

  /** Replays whatever a previous process left in the spool. */
  async start(): Promise<void> {
    const adopted = this.journal.adoptOrphans();
    if (adopted > 0) this.logger.info({ segments: adopted }, 'adopted trace journal segments a stopped process left behind');
    if ((await this.spool.pendingFiles()) > 0) this.scheduleReplay(0);
  }

  record(trace: TraceRecord): void {
    if (this.closed) throw new Error('TraceWriter is closed');
    const segment = this.journalAppend(trace);
    if (this.postgresDown || this.buffer.length >= (this.options.maxBuffered ?? 10_000)) {
      if (!segment) return this.spillToSpool([trace]);
      // Already on disk: the segment goes to the spool as a whole when it is rotated.
      segment.spilled = true;
      this.stats.spooled += 1;
      this.rotateSpilledSoon();
      return;
    }
    if (segment) segment.pending += 1;
    this.buffer.push({ trace, segment });
    if (this.buffer.length >= (this.options.batchSize ?? 500)) this.flushSoon(0);
    else this.flushSoon(this.options.flushIntervalMs ?? 50);
  }

  getStats(): TraceWriterStats {
    return { ...this.stats, buffered: this.buffer.length };
  }

  /** Resolves when everything recorded so far is in Postgres or in the spool. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.buffer.length > 0 || this.flushing) {
      if (this.flushing) await this.flushing;
      else await this.flushBatch();
    }
    this.rotateSpilled();
    await this.pendingSpill;
  }

  /** Drains the spool into Postgres now; rejects if Postgres is still unavailable. */
  async replaySpool(): Promise<number> {
    const n = await this.spool.replay((batch) => this.insert(batch));
    this.stats.replayed += n;
    return n;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.rotateTimer) clearTimeout(this.rotateTimer);
    this.journal.close();
  }

  private flushSoon(delay: number): void {
    if (this.timer && delay > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushBatch();
    }, delay);
    this.timer.unref();
  }

  private flushBatch(): Promise<void> {
    if (this.flushing || this.buffer.length === 0) return this.flushing ?? Promise.resolve();
    // Records from here on go to a fresh segment, so this one can be deleted once its batch is in.
    this.settle(this.journal.rotate());
    const batch = this.buffer.splice(0, this.options.batchSize ?? 500);
    this.flushing = this.insert(batch.map((b) => b.trace))
      .then(() => {
        this.stats.written += batch.length;
        this.release(batch, false);
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, records: batch.length }, 'trace insert failed; spooling to disk');
        this.markPostgresDown();
        this.release(batch, true);
      })
      .finally(() => {
        this.flushing = null;
        if (this.buffer.length > 0) this.flushSoon(0);
      });
    return this.flushing;
  }

  private pendingSpill: Promise<void> = Promise.resolve();

  private journalAppend(trace: TraceRecord): JournalSegment | null {
    try {
      const segment = this.journal.append(trace);
      this.journalFailing = false;
      return segment;
    } catch (error) {
      if (!this.journalFailing)
        this.logger.error({ err: error }, 'trace journal write failed; traces are held in memory until it works again');
      this.journalFailing = true;
      return null;
    }
  }

  /** A batch's INSERT settled: journal segments whose records are all settled are deleted or spooled. */
  private release(batch: Buffered[], failed: boolean): void {
    const unjournaled: TraceRecord[] = [];
    for (const { trace, segment } of batch) {
      if (!segment) {
        if (failed) unjournaled.push(trace);
        continue;
      }
      if (failed) segment.spilled = true;
      segment.pending -= 1;
      this.settle(segment);
    }
    if (failed) this.stats.spooled += batch.length - unjournaled.length;
    if (unjournaled.length > 0) this.spillToSpool(unjournaled);
  }

  private settle(segment: JournalSegment | null): void {
    if (!segment) return;
    try {
      this.journal.settle(segment);
    } catch (error) {
      this.logger.error({ err: error, segment: segment.path }, 'could not settle a trace journal segment; it stays for the next start');
    }
  }

  /** Spilled records are replayed from the spool: their segment must get there soon. */
  private rotateSpilledSoon(): void {
    if (this.rotateTimer) return;
    this.rotateTimer = setTimeout(() => {
      this.rotateTimer = null;
      this.rotateSpilled();
    }, 200);
    this.rotateTimer.unref();
  }

  private rotateSpilled(): void {
    if (this.journal.spilledCurrent()) this.settle(this.journal.rotate());
  }

  private spillToSpool(records: TraceRecord[]): void {
    this.stats.spooled += records.length;
    // Appends are chained so the spool keeps call order and flush() can await the tail.
    this.pendingSpill = this.pendingSpill
      .then(() => this.spool.append(records))
      .catch((error: unknown) => {
        // Both Postgres and the local disk failed: keep the records in memory rather than lose them.
        this.logger.error({ err: error, records: records.length }, 'trace spool append failed; keeping records in memory');
        this.buffer.unshift(...records.map((trace) => ({ trace, segment: null })));
      });
    this.markPostgresDown();
  }

  private markPostgresDown(): void {
    this.postgresDown = true;
    this.scheduleReplay(this.retryDelay);
  }

  private scheduleReplay(delay: number): void {
    // One replay at a time: two would claim, read and unlink the same spool files under each
    // other (the spool's own file is re-created under the same name by every spill), losing
    // records. A replay asked for while one runs is started when it ends.
    if (this.replaying) {
      this.replayWanted = true;
      return;
    }
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => void this.replay(), delay);
    this.retryTimer.unref();
  }

  private async replay(): Promise<void> {
    this.retryTimer = null;
    this.replaying = true;
    this.replayWanted = false;
    let next: number | null = null;
    try {
      await this.pendingSpill;
      this.rotateSpilled();
      await this.insert([]); // a cheap probe: throws while Postgres is unavailable
      const n = await this.replaySpool();
      this.postgresDown = false;
      this.retryDelay = this.options.retryBaseMs ?? 500;
      if (n > 0) this.logger.info({ records: n }, 'replayed spooled traces into Postgres');
      if (this.buffer.length > 0) this.flushSoon(0);
      // Records spilled while this replay ran landed in a fresh file: pick them up too.
      if ((await this.spool.pendingFiles()) > 0) next = 0;
    } catch (error) {
      this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
      this.logger.warn({ err: error, retryInMs: this.retryDelay }, 'Postgres still unavailable for traces');
      next = this.retryDelay;
    } finally {
      this.replaying = false;
    }
    if (next === null && this.replayWanted) next = this.postgresDown ? this.retryDelay : 0;
    if (next !== null && !this.closed) this.scheduleReplay(next);
  }

  private async insert(records: TraceRecord[]): Promise<void> {
    if (records.length === 0) {
      await this.db.query('SELECT 1');
      return;
    }
    this.insertStatement ??= traceInsertStatement(this.db);
    await insertTraces(this.db, this.insertStatement, records);
  }
}
