import type { CheckpointStore, ExecutionCheckpoint } from './execution-checkpoints';
import type { StepEvent } from './execution-engine-events';
import type { ExecutionRecord, ExecutionStore } from './execution-store';
import type { HistoryStore } from './history-files';

/**
 * What survives a stop of the runtime: each execution's record (execution-store.ts), its step
 * history (history-files.ts) and, while it runs, the state it entered last
 * (execution-checkpoints.ts). A failed write is logged and never breaks the run; nothing is written once the runtime is closing, so an execution aborted by the
 * stop stays RUNNING on disk (and goes on at the next start).
 */
export class ExecutionDurability {
  /** Executions whose last change could not be saved (persist), by ARN: their records as memory holds them. */
  private readonly unsaved = new Map<string, ExecutionRecord>();

  constructor(
    private readonly options: { store?: ExecutionStore; checkpoints?: CheckpointStore; histories?: HistoryStore; log?: (line: string) => void },
    /** Whether the runtime is closing (read at each write). */
    private readonly isClosing: () => boolean,
    /** Every record, for a store that rewrites them all now and then. */
    private readonly allRecords: () => ExecutionRecord[],
  ) {}

  /** Whether records are saved at all. */
  get hasStore(): boolean {
    return this.options.store !== undefined;
  }

  /**
   * Records one execution's change (the store appends it; it rewrites all only now and then).
   * False when it could not be saved (logged), or when there is no store.
   */
  persist(record: ExecutionRecord): boolean {
    const store = this.options.store;
    if (!store || this.isClosing()) return false;
    const saved = this.attempt('save executions', () => store.saveOne(record, this.allRecords));
    if (!saved) {
      this.unsaved.set(record.executionArn, record);
      return false;
    }
    this.unsaved.delete(record.executionArn);
    this.saveUnsaved(store);
    return true;
  }

  /** Once the store takes writes again, saves what it refused before, so the disk stops telling an old status. */
  private saveUnsaved(store: ExecutionStore): void {
    this.attempt('save executions', () => {
      for (const [arn, record] of this.unsaved) {
        store.saveOne(record, this.allRecords);
        this.unsaved.delete(arn);
      }
    });
  }

  /** Whether the last change of this execution failed to save: the disk does not hold it, only memory. */
  isUnsaved(executionArn: string): boolean {
    return this.unsaved.has(executionArn);
  }

  /** Every readable checkpoint by execution ARN (an unreadable one is logged: its execution starts again). */
  loadCheckpoints(): Map<string, ExecutionCheckpoint> {
    return (
      this.options.checkpoints?.loadAll((file, reason) =>
        this.options.log?.(`checkpoint ${file} is unreadable (${reason}): its execution starts again from the start`),
      ) ?? new Map()
    );
  }

  /** Saves where the execution stands; a failed write costs only the resume point, not the run. */
  checkpoint(cp: ExecutionCheckpoint): void {
    const checkpoints = this.options.checkpoints;
    if (!checkpoints || this.isClosing()) return;
    this.attempt(`save the checkpoint of ${cp.executionArn}`, () => checkpoints.write(cp));
  }

  dropCheckpoint(executionArn: string): void {
    this.attempt(`remove the checkpoint of ${executionArn}`, () => this.options.checkpoints?.remove(executionArn));
  }

  /**
   * Where a run's steps go: appended to its history on disk (a fresh start first forgets any history
   * left under its ARN; a run that goes on after a restart keeps the steps it had and started once;
   * a failed write costs that step of the history, not the run), or, without a history store, to
   * `history` in memory.
   */
  keeper(executionArn: string, history: StepEvent[], goesOn: boolean): (step: StepEvent) => void {
    const histories = this.options.histories;
    if (!histories) return (step) => history.push(step);
    if (!goesOn) this.dropHistory(executionArn);
    return (step) => {
      if ((goesOn && step.type === 'ExecutionStarted') || this.isClosing()) return;
      this.attempt(`save a step of ${step.executionName}`, () => histories.append(step));
    };
  }

  /** An execution's steps: from disk with a history store (none for an unknown ARN), else those kept in memory. */
  steps(executionArn: string | undefined, inMemory: readonly StepEvent[]): StepEvent[] {
    const histories = this.options.histories;
    if (!histories) return [...inMemory];
    return executionArn === undefined ? [] : histories.read(executionArn);
  }

  /** Forgets an execution's history, with its record. */
  dropHistory(executionArn: string): void {
    this.attempt(`remove the history of ${executionArn}`, () => this.options.histories?.remove(executionArn));
  }

  /** Runs a write; a failure is logged (`could not <what>: <why>`) and never breaks the run. False when it failed. */
  private attempt(what: string, write: () => void): boolean {
    try {
      write();
      return true;
    } catch (err) {
      this.options.log?.(`could not ${what}: ${(err as Error).message}`);
      return false;
    }
  }
}
