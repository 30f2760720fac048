/**
 * What a long-running local runtime keeps in memory of its finished executions, by when they
 * finished (the one that finished longest ago goes first; running executions keep everything and are
 * never forgotten, and the one finishing now is always kept):
 * - the step history of the last `histories` to finish: an older one's history is emptied, its
 *   record stays;
 * - the record of the last `records` to finish: the caller's `forget` takes an older one (without
 *   a data folder it is gone, as a restart forgets what executions.json no longer lists; with one,
 *   execution-archive.ts keeps its name and reads it back from the file). Before, memory
 *   kept every execution a long `npm start` ever ran, input and output included (about 6 KB each).
 */
export class FinishedRetention<T extends { history: unknown[] }> {
  /** Every finished entry still remembered, in the order they finished (the first finished longest ago). */
  private readonly remembered = new Set<T>();
  /** Those that still have their history, in the same order. */
  private readonly withHistory = new Set<T>();

  constructor(
    readonly limits: { histories: number; records: number },
    /** Drops a forgotten entry from wherever the caller keeps it. */
    private readonly forget: (entry: T) => void,
  ) {
    const { histories, records } = limits;
    if (!Number.isInteger(histories) || histories < 0) throw new RangeError(`history retention must be a whole number >= 0, not ${histories}`);
    if (!Number.isInteger(records) || records < 1) throw new RangeError(`record retention must be a whole number >= 1, not ${records}`);
  }

  /** An earlier run's finished entry (it has no history); call in the order they finished (inFinishOrder). */
  remember(entry: T): void {
    this.remembered.add(entry);
    this.trim();
  }

  /** `entry` finished now: it keeps its history and its record; the oldest beyond the limits lose theirs. */
  finished(entry: T): void {
    for (const set of [this.remembered, this.withHistory]) {
      set.delete(entry);
      set.add(entry);
    }
    this.trim();
  }

  private trim(): void {
    for (const oldest of this.withHistory) {
      if (this.withHistory.size <= this.limits.histories) break;
      this.withHistory.delete(oldest);
      oldest.history.length = 0;
    }
    for (const oldest of this.remembered) {
      if (this.remembered.size <= this.limits.records) break;
      this.remembered.delete(oldest);
      this.withHistory.delete(oldest);
      this.forget(oldest);
    }
  }
}

/**
 * When a record finished (ms), or started if it has no readable stop time: what both memory and
 * executions.json keep the latest of. Compared as times, not text (`…05Z` is earlier than `…05.500Z`).
 */
function finishedAt(record: { startDate: string; stopDate?: string }): number {
  const stop = Date.parse(record.stopDate ?? '');
  return Number.isNaN(stop) ? Date.parse(record.startDate) || 0 : stop;
}

/** Records in the order they finished (the first to finish first); executions.json lists them newest first. */
export function inFinishOrder<T extends { startDate: string; stopDate?: string }>(records: readonly T[]): T[] {
  return records
    .map((record) => ({ record, at: finishedAt(record) }))
    .sort((a, b) => a.at - b.at)
    .map((r) => r.record);
}
