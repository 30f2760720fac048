import type { ExecutionRecord, ExecutionStore } from './execution-store';

/** How long one read of executions.json serves lookups of archived records at most. */
const READ_SHARED_MS = 2_000;

/**
 * The finished executions a runtime with a data folder keeps on disk only: past the latest ones to
 * finish that memory keeps whole (history-retention.ts), an execution's record, with its input and
 * output, is read back from executions.json when it is asked for. Memory keeps only its ARN and
 * name, so its name stays taken (as AWS keeps names for 90 days) and it is still listed, up to
 * `limit` of them (the oldest to finish go first, as executions.json trims them).
 */
export class ExecutionArchive {
  /** ARN -> name, in the order they finished. */
  private readonly names = new Map<string, string>();
  /** Name -> the ARN of the first to finish of that name (names are unique per state machine). */
  private readonly arns = new Map<string, string>();
  private lastRead: { byArn: Map<string, ExecutionRecord>; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly store: ExecutionStore,
    private readonly limit: number,
    /** Told of each one it forgets (executions.json no longer keeps it either). */
    private readonly onForget: (executionArn: string) => void = () => undefined,
  ) {}

  /** A finished record memory no longer keeps (already saved); call in the order they finished. */
  add(record: ExecutionRecord): void {
    // The last read holds what was on disk then: not this record as it finished, unless it says so.
    const held = this.lastRead?.byArn.get(record.executionArn);
    // (A record gets its stopDate as it finishes: one held RUNNING has none.)
    if (held?.stopDate !== record.stopDate) this.dropRead();
    this.names.set(record.executionArn, record.name);
    if (!this.arns.has(record.name)) this.arns.set(record.name, record.executionArn);
    for (const [oldest, name] of this.names) {
      if (this.names.size <= this.limit) break;
      this.names.delete(oldest);
      if (this.arns.get(name) === oldest) this.arns.delete(name);
      this.onForget(oldest);
    }
  }

  has(executionArn: string): boolean {
    return this.names.has(executionArn);
  }

  /** The archived record an ARN or a name names (the first to finish of that name), read from disk. */
  read(ref: string): ExecutionRecord | undefined {
    const arn = this.arnOf(ref);
    const record = arn === undefined ? undefined : this.onDisk().get(arn);
    return record && { ...record };
  }

  /** Every archived record, read from disk at once, in the order they finished. */
  records(): ExecutionRecord[] {
    if (this.names.size === 0) return [];
    const onDisk = this.onDisk();
    return [...this.names.keys()].flatMap((arn) => {
      const record = onDisk.get(arn);
      return record ? [{ ...record }] : [];
    });
  }

  /**
   * The records on disk by ARN. An archived record no longer changes once it has finished, so the
   * last read serves every lookup (the reconciler describes up to 200 executions in a run) until one
   * joins the archive that it does not hold finished (add), or READ_SHARED_MS has passed, so memory
   * does not keep the file.
   */
  private onDisk(): Map<string, ExecutionRecord> {
    if (this.lastRead) return this.lastRead.byArn;
    const timer = setTimeout(() => this.dropRead(), READ_SHARED_MS).unref();
    const byArn = new Map(this.store.read().map((r) => [r.executionArn, r]));
    this.lastRead = { byArn, timer };
    return byArn;
  }

  private dropRead(): void {
    if (this.lastRead) clearTimeout(this.lastRead.timer);
    this.lastRead = undefined;
  }

  /** The ARN of the archived execution an ARN or a name names. */
  arnOf(ref: string): string | undefined {
    return this.names.has(ref) ? ref : this.arns.get(ref);
  }
}
