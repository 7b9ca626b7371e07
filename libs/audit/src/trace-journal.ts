import { closeSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, isAlive } from '@gatehouse/core';
import type { TraceRecord } from './trace-record';

/** One journal file: the traces recorded between two rotations. */
export interface JournalSegment {
  readonly path: string;
  /** Its records still waiting in memory for their INSERT. */
  pending: number;
  /** Some of its records are in no other durable place (their INSERT failed, or was never tried). */
  spilled: boolean;
  /** No more records will be appended. */
  rotated: boolean;
  fd: number | null;
}

const SEGMENT = /^journal-(.+)-(\d+)-(\d+)-(\d+)\.wal$/;

/**
 * The write-ahead journal of the trace pipeline: each trace is appended (one `write`, no fsync)
 * before the call's answer leaves, so a gateway killed with SIGKILL — the kernel keeps what was
 * written — loses no trace; only losing the machine itself can. A segment whose records all
 * reached Postgres is deleted; one holding records that did not is handed to the spool as is
 * (a rename), and its replay is idempotent by trace id. A restarted process adopts the segments a
 * dead process on this host left behind.
 */
export class TraceJournal {
  private current: JournalSegment | null = null;
  private sequence = 0;
  private readonly started = Date.now();

  constructor(private readonly dir: string) {}

  /** Appends synchronously; throws when the disk refuses (the caller keeps the record in memory). */
  append(record: TraceRecord): JournalSegment {
    const segment = this.current ?? this.open();
    writeSync(segment.fd as number, `${JSON.stringify(record)}\n`);
    return segment;
  }

  /** Ends the current segment: later records go to a new one. */
  rotate(): JournalSegment | null {
    const segment = this.current;
    this.current = null;
    if (segment) segment.rotated = true;
    return segment;
  }

  /** The current segment, if it holds spilled records (to be rotated into the spool). */
  spilledCurrent(): JournalSegment | null {
    return this.current?.spilled ? this.current : null;
  }

  /** Deletes a rotated segment whose records are all in Postgres, or moves it into the spool. */
  settle(segment: JournalSegment): void {
    if (!segment.rotated || segment.pending > 0 || segment.fd === null) return;
    closeSync(segment.fd);
    segment.fd = null;
    if (segment.spilled) renameSync(segment.path, this.spoolName(segment.path));
    else unlinkSync(segment.path);
  }

  /** Hands segments left by dead processes on this host to the spool; returns how many. */
  adoptOrphans(): number {
    let adopted = 0;
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const file of files) {
      const match = SEGMENT.exec(file);
      if (!match || match[1] !== HOST) continue;
      const pid = Number(match[2]);
      const mine = pid === process.pid && Number(match[3]) === this.started;
      // In a container a restarted process is pid 1 again: same pid, other start time, dead owner.
      if (mine || (pid !== process.pid && isAlive(pid))) continue;
      renameSync(join(this.dir, file), this.spoolName(join(this.dir, file)));
      adopted += 1;
    }
    return adopted;
  }

  close(): void {
    const segment = this.rotate();
    if (segment) this.settle(segment);
  }

  private open(): JournalSegment {
    mkdirSync(this.dir, { recursive: true });
    this.sequence += 1;
    const path = join(this.dir, `journal-${HOST}-${process.pid}-${this.started}-${this.sequence}.wal`);
    this.current = { path, fd: openSync(path, 'a'), pending: 0, spilled: false, rotated: false };
    return this.current;
  }

  private spoolName(path: string): string {
    return path.replace(/\.wal$/, '.jsonl');
  }
}
