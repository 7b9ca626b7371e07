import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST } from '@gatehouse/core';
import type { TraceRecord } from './trace-record';
import { TraceSpool } from './trace-spool';

const line = (id: string) => `${JSON.stringify({ id } as unknown as TraceRecord)}\n`;
const DEAD_PID = 2 ** 22 + 17; // above Linux's pid_max default: no such process

async function replayed(spool: TraceSpool): Promise<string[]> {
  const ids: string[] = [];
  await spool.replay(async (records) => void ids.push(...records.map((r) => r.id)));
  return ids.sort();
}

/** Gateways may share one spool volume (pid 1 in every container): whose file is whose. */
describe('TraceSpool claims', () => {
  it('names its files by host and pid, and replays them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const spool = new TraceSpool(dir, 0);
    await spool.append([{ id: 'a' } as unknown as TraceRecord]);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(new RegExp(`^traces-${HOST}-${process.pid}-\\d+\\.jsonl$`))]);
    expect(await replayed(spool)).toEqual(['a']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves a claim of a live process alone, and takes over one of a dead process of this host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    writeFileSync(join(dir, `traces-x-1-1.jsonl.${HOST}~${process.ppid}.claimed`), line('busy'));
    writeFileSync(join(dir, `traces-x-2-2.jsonl.${HOST}~${DEAD_PID}.claimed`), line('orphan'));
    expect(await replayed(new TraceSpool(dir, 0))).toEqual(['orphan']);
    expect(readdirSync(dir)).toEqual([`traces-x-1-1.jsonl.${HOST}~${process.ppid}.claimed`]);
  });

  it("takes over another host's claim only once it has not changed for ten minutes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const fresh = `traces-y-1-1.jsonl.other-pod~1.claimed`;
    const stale = `traces-y-1-2.jsonl.other-pod~1.claimed`;
    writeFileSync(join(dir, fresh), line('theirs'));
    writeFileSync(join(dir, stale), line('stale'));
    const elevenMinutesAgo = (Date.now() - 11 * 60_000) / 1000;
    utimesSync(join(dir, stale), elevenMinutesAgo, elevenMinutesAgo);
    expect(await replayed(new TraceSpool(dir, 0))).toEqual(['stale']);
    expect(readdirSync(dir)).toEqual([fresh]);
  });

  it('retries its own claim after a replay failed part-way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    writeFileSync(join(dir, 'traces-z-1-1.jsonl'), line('one') + line('two'));
    const spool = new TraceSpool(dir, 0);
    await expect(spool.replay(async () => Promise.reject(new Error('postgres went away')))).rejects.toThrow('postgres went away');
    expect(readdirSync(dir)).toEqual([`traces-z-1-1.jsonl.${HOST}~${process.pid}.claimed`]);
    expect(await replayed(spool)).toEqual(['one', 'two']);
  });
});
