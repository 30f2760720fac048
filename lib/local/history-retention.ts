/**
 * Which finished executions keep their step history in memory: the last `limit` to finish. An
 * older one's history is emptied when a newer one finishes, so a long-running local runtime holds
 * at most `limit` finished histories however many purchases it has run (its record stays, in
 * memory and in executions.json). Running executions keep theirs whole.
 */
export class FinishedHistories<T extends { history: unknown[] }> {
  /** Insertion-ordered: the first entry finished longest ago. */
  private readonly kept = new Set<T>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`history retention must be a whole number >= 0, not ${limit}`);
  }

  /** `entry` finished now: it keeps its history, and the one that finished longest ago beyond the limit loses its. */
  finished(entry: T): void {
    this.kept.delete(entry);
    this.kept.add(entry);
    for (const oldest of this.kept) {
      if (this.kept.size <= this.limit) break;
      this.kept.delete(oldest);
      oldest.history.length = 0;
    }
  }
}

/** Records in the order they started (the oldest first); executions.json lists finished ones newest first. */
export function inStartOrder<T extends { startDate: string }>(records: readonly T[]): T[] {
  return [...records].sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : 0));
}

/**
 * Which finished executions keep their record in memory at all: `executions` (in start order) is
 * cut back to `limit` entries by forgetting the finished ones that started first. With `limit` at
 * what executions.json keeps (execution-store.ts MAX_RECORDS), a long-running runtime remembers
 * what it would remember after a restart, and its memory stops growing there: before, every
 * execution it ever ran stayed in memory, input and output included (about 6 KB each). A running
 * execution is never forgotten, however many there are.
 */
export function forgetOldestFinished<T extends { record: { status: string } }>(executions: Map<string, T>, limit: number): void {
  for (const [arn, entry] of executions) {
    if (executions.size <= limit) return;
    if (entry.record.status !== 'RUNNING') executions.delete(arn);
  }
}
