import { appendFile, mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HOST, isAlive } from '@gatehouse/core';
import type { TraceRecord } from './trace-record';

/** A file claimed by a process of another host is taken over only when it has not changed for this long. */
const STALE_CLAIM_MS = 10 * 60_000;
const CLAIM = /\.([A-Za-z0-9-]+)~(\d+)\.claimed$/;

/**
 * Durable local overflow for traces that could not be written to Postgres. Append-only JSON
 * lines, one file per process; a replayer claims a file by renaming it (atomic), waits a grace
 * period for appends already in flight, then reads it. Local disk rather than Redis because
 * Redis may be the thing that is down, and it is commonly run without persistence.
 *
 * Files and claims are named by host and pid, so gateways sharing a spool volume (pid 1 in every
 * container) neither collide nor take a claim another live process is working on: a claimed file
 * is taken over only from a dead process of this host, or from another host after it went stale.
 */
export class TraceSpool {
  private readonly ownFile: string;

  constructor(
    private readonly dir: string,
    private readonly graceMs = 250,
  ) {
    this.ownFile = join(dir, `traces-${HOST}-${process.pid}-${Date.now()}.jsonl`);
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
      const claimed = await this.claim(file);
      if (!claimed) continue;
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

  /** The path of `file` claimed for this process, or null when another replayer has it. */
  private async claim(file: string): Promise<string | null> {
    const mine = `.${HOST}~${process.pid}.claimed`;
    if (file.endsWith(mine)) return join(this.dir, file); // a replay of ours that failed part-way
    const owner = CLAIM.exec(file);
    if (owner && !(await this.abandoned(file, owner[1] as string, Number(owner[2])))) return null;
    const claimed = join(this.dir, `${owner ? file.slice(0, owner.index) : file}${mine}`);
    try {
      await rename(join(this.dir, file), claimed);
    } catch {
      return null; // another replayer claimed it first
    }
    if (!owner) await new Promise((r) => setTimeout(r, this.graceMs)); // appends already in flight land
    return claimed;
  }

  private async abandoned(file: string, host: string, pid: number): Promise<boolean> {
    if (host === HOST) return !isAlive(pid);
    try {
      return Date.now() - (await stat(join(this.dir, file))).mtimeMs > STALE_CLAIM_MS;
    } catch {
      return false;
    }
  }

  async pendingFiles(): Promise<number> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith('.jsonl') || f.endsWith('.claimed')).length;
    } catch {
      return 0;
    }
  }
}
