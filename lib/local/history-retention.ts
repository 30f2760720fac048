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
