import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventJournal, type JournalEntry } from '../../lib/local/event-journal';

/**
 * Every write and fsync the journal makes, in order (node:fs, called through); `partialWrite` makes
 * the next write put only that many bytes and then fail as a full disk does.
 */
const calls = vi.hoisted(() => [] as string[]);
const faults = vi.hoisted(() => ({ partialWrite: undefined as number | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    writeSync: ((fd: number, buf: Buffer, off: number, len: number) => {
      calls.push('write');
      if (faults.partialWrite !== undefined) {
        fs.writeSync(fd, buf, off, faults.partialWrite);
        faults.partialWrite = undefined;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return fs.writeSync(fd, buf, off, len);
    }) as typeof fs.writeSync,
    fsyncSync: (fd: number) => {
      calls.push('fsync');
      fs.fsyncSync(fd);
    },
  };
});

function entry(id: string, deliveries = ['Requested/Target0'], detailBytes = 10): JournalEntry {
  return {
    id,
    busName: 'default',
    acceptedAt: 1_700_000_000_000,
    event: { version: '0', id, 'detail-type': 'Thing Happened', source: 'test', detail: { pad: 'x'.repeat(detailBytes) } },
    deliveries,
  };
}

function lines(file: string): Array<Record<string, { id: string }>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, { id: string }>);
}

describe('the local EventBridge journal', () => {
  let dir: string;
  let file: string;
  let journal: EventJournal | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'procure-journal-'));
    file = join(dir, 'events', 'journal.jsonl');
    calls.length = 0;
  });

  afterEach(() => {
    journal?.close();
    journal = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('has accepted entries written and fsynced when accept returns: one write and one fsync per call, whatever the entry count', () => {
    journal = EventJournal.open(file);
    calls.length = 0;
    journal.accept([entry('e1'), entry('e2'), entry('e3')]);
    expect(calls).toEqual(['write', 'fsync']);
    expect(lines(file).map((l) => l.put?.id)).toEqual(['e1', 'e2', 'e3']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'events')).mode & 0o777).toBe(0o700);
  });

  it('does not fsync the done markers: losing one only means one more delivery', () => {
    journal = EventJournal.open(file);
    journal.accept([entry('e1')]);
    calls.length = 0;
    journal.settle('e1', 'Requested/Target0', 'delivered');
    expect(calls).toEqual(['write']);
    expect(lines(file).at(-1)).toEqual({ done: { id: 'e1', delivery: 'Requested/Target0', outcome: 'delivered' } });
  });

  it('returns after a reopen what was accepted and not settled, with only the targets still outstanding', () => {
    journal = EventJournal.open(file);
    journal.accept([entry('a', ['R/T0', 'R/T1']), entry('b'), entry('c')]);
    journal.settle('a', 'R/T0', 'delivered');
    journal.settle('b', 'Requested/Target0', 'dead-lettered');
    journal.close();

    journal = EventJournal.open(file);
    expect(journal.pending().map((e) => [e.id, e.deliveries])).toEqual([
      ['a', ['R/T1']],
      ['c', ['Requested/Target0']],
    ]);
    expect(journal.pending()[0]!.event).toEqual(entry('a').event);
    // The reopen rewrote the file with the pending entries only.
    expect(lines(file)).toEqual([{ put: { ...entry('a'), deliveries: ['R/T1'] } }, { put: entry('c') }]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('drops a torn last line (a write cut off by a kill, never acknowledged) and keeps what came before', () => {
    journal = EventJournal.open(file);
    journal.accept([entry('whole')]);
    journal.close();
    appendFileSync(file, JSON.stringify({ put: entry('torn') }).slice(0, 40));
    const logs: string[] = [];

    journal = EventJournal.open(file, { log: (l) => logs.push(l) });
    expect(journal.pending().map((e) => e.id)).toEqual(['whole']);
    expect(logs).toEqual([expect.stringMatching(/dropped an incomplete last line/)]);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    journal.accept([entry('next')]);
    journal.close();
    journal = EventJournal.open(file);
    expect(journal.pending().map((e) => e.id)).toEqual(['whole', 'next']);
  });

  it('compacts while running, so the file stays within twice what is pending (or the minimum size)', () => {
    const min = 16 * 1024;
    journal = EventJournal.open(file, { compactMinBytes: min });
    let maxSeen = 0;
    for (let i = 0; i < 600; i += 1) {
      journal.accept([entry(`e${i}`, ['R/T0'], 300)]);
      // Every tenth entry stays pending; the others are delivered at once.
      if (i % 10 !== 0) journal.settle(`e${i}`, 'R/T0', 'delivered');
      const { fileBytes, liveBytes } = journal.size;
      expect(fileBytes).toBe(statSync(file).size);
      maxSeen = Math.max(maxSeen, fileBytes - Math.max(min, 2 * liveBytes));
    }
    // Over the bound by at most the one line just appended.
    expect(maxSeen).toBeLessThan(600);
    expect(journal.compactions).toBeGreaterThan(3);
    expect(journal.size.pendingEntries).toBe(60);
    journal.close();
    const reopened = EventJournal.open(file);
    expect(reopened.pending().map((e) => e.id)).toEqual(Array.from({ length: 60 }, (_, k) => `e${k * 10}`));
    reopened.close();
  });

  it('keeps an event whose detail is nested deeper than JSON.stringify recurses (EventBridge checks only the size)', () => {
    let detail: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20_000; i += 1) detail = { a: detail };
    journal = EventJournal.open(file);
    journal.accept([{ ...entry('deep'), event: { id: 'deep', detail } }]);
    journal.close();
    journal = EventJournal.open(file);
    let node = journal.pending()[0]!.event.detail as Record<string, unknown>;
    let depth = 0;
    while (node.a) {
      node = node.a as Record<string, unknown>;
      depth += 1;
    }
    expect([depth, node]).toEqual([20_000, { leaf: true }]);
  });

  it('removes the temp file of a compaction cut off by a kill, and keeps the journal it was replacing', () => {
    journal = EventJournal.open(file);
    journal.accept([entry('kept')]);
    journal.close();
    mkdirSync(join(dir, 'events'), { recursive: true });
    const stale = `${file}.99999.tmp`;
    writeFileSync(stale, '{"put":');
    journal = EventJournal.open(file);
    expect(existsSync(stale)).toBe(false);
    expect(journal.pending().map((e) => e.id)).toEqual(['kept']);
  });

  it('cuts a failed write back off the file (a full disk), so the entries accepted after it stay readable', () => {
    journal = EventJournal.open(file);
    journal.accept([entry('before')]);
    faults.partialWrite = 30;
    expect(() => journal!.accept([entry('refused')])).toThrow(/ENOSPC/);
    journal.accept([entry('after')]);
    faults.partialWrite = 10;
    journal.settle('before', 'Requested/Target0', 'delivered'); // logged, not thrown: the delivery happened
    journal.close();
    expect(lines(file).map((l) => l.put?.id)).toEqual(['before', 'after']);
    journal = EventJournal.open(file);
    expect(journal.pending().map((e) => e.id)).toEqual(['before', 'after']);
  });

  it('ignores settles after close and refuses accepts: nothing is acknowledged that is not on disk', () => {
    journal = EventJournal.open(file);
    journal.accept([entry('e1')]);
    journal.close();
    journal.settle('e1', 'Requested/Target0', 'delivered');
    expect(() => journal!.accept([entry('e2')])).toThrow(/closed/);
    journal = EventJournal.open(file);
    expect(journal.pending().map((e) => e.id)).toEqual(['e1']);
  });
});
