import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { toJsonText } from './deep-json';
import { mkdirPrivate, writeFilePrivateSynced } from './private-files';

/**
 * The local EventBridge's write-ahead journal: an acknowledged PutEvents entry survives the runtime's
 * death (issue 9: "an acknowledged event is durable"). One append-only JSON-lines file, 0600 in the
 * private data folder:
 *
 * - `{"put": {id, busName, acceptedAt, event, deliveries}}`: an accepted entry and the rule targets
 *   it must reach (`<rule logical id>/<target id>`). Written and fsynced BEFORE PutEvents answers,
 *   one write and one fsync per PutEvents call whatever its number of entries.
 * - `{"done": {id, delivery, outcome}}`: one target is finished with, because the invocation
 *   succeeded or the entry was dead-lettered after the template's retries. Written after the fact
 *   and not fsynced: losing one (an OS crash, never a killed process) only means one more delivery,
 *   which EventBridge's at-least-once contract allows and the targets must tolerate anyway.
 *
 * On open the file is read (a torn last line, from a process killed mid-write, was never
 * acknowledged and is dropped) and rewritten holding only what is still pending, which
 * {@link EventJournal.pending} returns for redelivery. While running, the file is rewritten the same
 * way whenever it grows past twice what is still pending (and past `compactMinBytes`), so its size
 * stays bounded by the entries not yet delivered.
 */
export type DeliveryOutcome = 'delivered' | 'dead-lettered';

export interface JournalEntry {
  /** The event id PutEvents answered. */
  id: string;
  busName: string;
  /** Epoch ms when PutEvents accepted it (the event's age counts from here). */
  acceptedAt: number;
  /** The event envelope as the targets receive it. */
  event: Record<string, unknown>;
  /** `<rule logical id>/<target id>` of every target the entry matched. */
  deliveries: string[];
}

export interface EventJournalOptions {
  /** The file is never compacted below this size. @default 1 MiB */
  compactMinBytes?: number;
  log?: (line: string) => void;
}

interface Live {
  entry: JournalEntry;
  remaining: Set<string>;
  /** Bytes of its put line as last written (what a compaction would keep). */
  bytes: number;
}

const DEFAULT_COMPACT_MIN_BYTES = 1024 * 1024;

export class EventJournal {
  private readonly live = new Map<string, Live>();
  private fd: number | undefined;
  private fileBytes = 0;
  private liveBytes = 0;
  private readonly compactMinBytes: number;
  private readonly log: (line: string) => void;
  /** Compactions since open, not counting the rewrite at open (for tests). */
  compactions = 0;

  private constructor(
    readonly file: string,
    options: EventJournalOptions,
  ) {
    this.compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
    this.log = options.log ?? (() => {});
  }

  /** Reads what a previous run left pending, rewrites the file with only that, and opens it for appending. */
  static open(file: string, options: EventJournalOptions = {}): EventJournal {
    const journal = new EventJournal(file, options);
    mkdirPrivate(dirname(file));
    // A compaction's temp file left by a process killed during it: the journal itself is intact.
    const prefix = `${basename(file)}.`;
    for (const name of readdirSync(dirname(file))) if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(join(dirname(file), name), { force: true });
    journal.load();
    journal.compact();
    journal.compactions = 0;
    return journal;
  }

  /** Entries accepted and not yet finished with, oldest first, each with only its remaining deliveries. */
  pending(): JournalEntry[] {
    return [...this.live.values()].map((l) => ({ ...l.entry, deliveries: [...l.remaining] }));
  }

  /** Size of the file now, and of what a compaction would keep. */
  get size(): { fileBytes: number; liveBytes: number; pendingEntries: number } {
    return { fileBytes: this.fileBytes, liveBytes: this.liveBytes, pendingEntries: this.live.size };
  }

  /**
   * Records accepted entries durably: one write, then fsync. Returns only once they are on disk; the
   * caller acknowledges after it. Throws when they could not be written (nothing is acknowledged then).
   */
  accept(entries: JournalEntry[]): void {
    if (entries.length === 0) return;
    const fd = this.openFd();
    // toJsonText: a detail nested deeper than JSON.stringify recurses is still an event EventBridge accepts.
    const lines = entries.map((entry) => `${toJsonText({ put: entry })}\n`);
    const text = lines.join('');
    try {
      writeAll(fd, text);
      fsyncSync(fd);
    } catch (err) {
      this.cutBack(fd);
      throw err;
    }
    this.fileBytes += Buffer.byteLength(text);
    entries.forEach((entry, i) => {
      const bytes = Buffer.byteLength(lines[i]!);
      this.live.set(entry.id, { entry, remaining: new Set(entry.deliveries), bytes });
      this.liveBytes += bytes;
    });
  }

  /** One delivery of an entry is finished with. No-op after close, or for an unknown delivery. */
  settle(id: string, delivery: string, outcome: DeliveryOutcome): void {
    const l = this.live.get(id);
    if (this.fd === undefined || !l || !l.remaining.delete(delivery)) return;
    const line = `${JSON.stringify({ done: { id, delivery, outcome } })}\n`;
    try {
      writeAll(this.fd, line);
      this.fileBytes += Buffer.byteLength(line);
    } catch (err) {
      this.cutBack(this.fd);
      // The delivery happened; at worst it happens once more after a restart.
      this.log(`events: could not record ${id} -> ${delivery} as ${outcome} in ${this.file}: ${(err as Error).message}`);
    }
    if (l.remaining.size === 0) {
      this.live.delete(id);
      this.liveBytes -= l.bytes;
    }
    if (this.fileBytes > Math.max(this.compactMinBytes, 2 * this.liveBytes)) {
      try {
        this.compact();
      } catch (err) {
        this.log(`events: could not compact ${this.file}: ${(err as Error).message}`);
      }
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Truncates a failed write's partial line (a full disk, say): left in place, the next line would
   * be appended to it and both would be unreadable at the next start.
   */
  private cutBack(fd: number): void {
    try {
      ftruncateSync(fd, this.fileBytes);
    } catch (err) {
      this.log(`events: could not truncate ${this.file} after a failed write: ${(err as Error).message}`);
    }
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`the event journal ${this.file} is closed`);
    return this.fd;
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const lines = text.split('\n');
    // Every complete line ends with \n: what follows the last one is a write cut off by a kill.
    const torn = lines.pop();
    if (torn) this.log(`events: dropped an incomplete last line of ${this.file} (${torn.length} bytes; a write cut off, never acknowledged)`);
    let skipped = 0;
    for (const line of lines) {
      if (!line) continue;
      let record: { put?: JournalEntry; done?: { id: string; delivery: string } };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        skipped += 1;
        continue;
      }
      if (record.put && typeof record.put.id === 'string' && Array.isArray(record.put.deliveries)) {
        this.live.set(record.put.id, { entry: record.put, remaining: new Set(record.put.deliveries), bytes: 0 });
      } else if (record.done) {
        const l = this.live.get(record.done.id);
        l?.remaining.delete(record.done.delivery);
        if (l && l.remaining.size === 0) this.live.delete(record.done.id);
      } else {
        skipped += 1;
      }
    }
    if (skipped) this.log(`events: skipped ${skipped} unreadable line(s) of ${this.file}`);
  }

  /** Rewrites the file with the pending entries only (temp file, fsync, rename, fsync of the folder). */
  private compact(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    let text = '';
    this.liveBytes = 0;
    for (const l of this.live.values()) {
      const line = `${toJsonText({ put: { ...l.entry, deliveries: [...l.remaining] } })}\n`;
      l.bytes = Buffer.byteLength(line);
      this.liveBytes += l.bytes;
      text += line;
    }
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFilePrivateSynced(tmp, text);
    renameSync(tmp, this.file);
    fsyncDir(dirname(this.file));
    this.fd = openSync(this.file, 'a', 0o600);
    this.fileBytes = this.liveBytes;
    this.compactions += 1;
  }
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Makes a rename in `dir` durable (POSIX); a no-op where folders cannot be opened (Windows). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported on this platform
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
