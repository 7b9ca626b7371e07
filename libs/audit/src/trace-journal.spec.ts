import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HOST } from '@gatehouse/core';
import { TraceJournal } from './trace-journal';
import type { TraceRecord } from './trace-record';

const host = HOST;
const record = (id: string) => ({ id, tenantId: 't', status: 'ok' }) as unknown as TraceRecord;
/** A pid that surely belongs to no running process: a child that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid as number;

describe('TraceJournal', () => {
  it('deletes a segment whose records all reached Postgres, and spools one that holds any that did not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-journal-'));
    const journal = new TraceJournal(dir);
    const stored = journal.append(record('a'));
    stored.pending = 1;
    journal.rotate();
    const spilled = journal.append(record('b'));
    spilled.spilled = true;
    journal.rotate();
    journal.settle(spilled);
    journal.settle(stored); // still pending: stays
    expect(readdirSync(dir).filter((f) => f.endsWith('.wal'))).toHaveLength(1);
    stored.pending = 0;
    journal.settle(stored);
    const left = readdirSync(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/\.jsonl$/);
    expect(JSON.parse(readFileSync(join(dir, left[0] as string), 'utf8'))).toMatchObject({ id: 'b' });
  });

  it("adopts only segments of dead processes on this host, never a live process's or another host's", () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-journal-'));
    const dead = `journal-${host}-${deadPid()}-1-1.wal`;
    const alive = `journal-${host}-${process.ppid}-1-1.wal`;
    const elsewhere = `journal-other-host-${deadPid()}-1-1.wal`;
    const previousIncarnation = `journal-${host}-${process.pid}-1-1.wal`; // same pid, earlier start: a restarted container
    for (const file of [dead, alive, elsewhere, previousIncarnation]) writeFileSync(join(dir, file), '{"id":"x"}\n');
    const journal = new TraceJournal(dir);
    journal.append(record('own')); // its own live segment is never adopted
    expect(journal.adoptOrphans()).toBe(2);
    const files = readdirSync(dir).sort();
    expect(files).toContain(dead.replace('.wal', '.jsonl'));
    expect(files).toContain(previousIncarnation.replace('.wal', '.jsonl'));
    expect(files).toContain(alive);
    expect(files).toContain(elsewhere);
    expect(files.filter((f) => f.startsWith(`journal-${host}-${process.pid}-`) && f.endsWith('.wal'))).toHaveLength(1);
  });
});
