import type { CheckpointStore, ExecutionCheckpoint } from './execution-checkpoints';
import type { StepEvent } from './execution-engine-events';
import type { ExecutionRecord, ExecutionStore } from './execution-store';
import type { HistoryStore } from './history-files';

/**
 * What survives a stop of the runtime: each execution's record (execution-store.ts), its step
 * history (history-files.ts) and, while it runs, the state it entered last (execution-checkpoints.ts). A failed write is logged and never
 * breaks the run; nothing is written once the runtime is closing, so an execution aborted by the
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
    if (!this.options.store || this.isClosing()) return false;
    try {
      this.options.store.saveOne(record, this.allRecords);
      this.unsaved.delete(record.executionArn);
      this.saveUnsaved();
      return true;
    } catch (err) {
      this.unsaved.set(record.executionArn, record);
      this.options.log?.(`could not save executions: ${(err as Error).message}`);
      return false;
    }
  }

  /** Once the store takes writes again, saves what it refused before, so the disk stops telling an old status. */
  private saveUnsaved(): void {
    if (this.unsaved.size === 0) return;
    try {
      for (const [arn, record] of this.unsaved) {
        this.options.store?.saveOne(record, this.allRecords);
        this.unsaved.delete(arn);
      }
    } catch (err) {
      this.options.log?.(`could not save executions: ${(err as Error).message}`);
    }
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
    if (!this.options.checkpoints || this.isClosing()) return;
    try {
      this.options.checkpoints.write(cp);
    } catch (err) {
      this.options.log?.(`could not save the checkpoint of ${cp.executionArn}: ${(err as Error).message}`);
    }
  }

  dropCheckpoint(executionArn: string): void {
    try {
      this.options.checkpoints?.remove(executionArn);
    } catch (err) {
      this.options.log?.(`could not remove the checkpoint of ${executionArn}: ${(err as Error).message}`);
    }
  }

  /** Whether step histories are kept on disk (then memory keeps none). */
  get keepsHistories(): boolean {
    return this.options.histories !== undefined;
  }

  /**
   * Where a run's steps go: appended to its history on disk (a fresh start first forgets any history
   * left under its ARN; a run that goes on after a restart keeps the steps it had and started once),
   * or, without a history store, to `history` in memory.
   */
  keeper(executionArn: string, history: StepEvent[], goesOn: boolean): (step: StepEvent) => void {
    if (!this.options.histories) return (step) => history.push(step);
    if (!goesOn) this.dropHistory(executionArn);
    return (step) => {
      if (!(goesOn && step.type === 'ExecutionStarted')) this.step(step);
    };
  }

  /** Appends a step to its execution's history; a failed write costs that step of the history, not the run. */
  private step(step: StepEvent): void {
    if (!this.options.histories || this.isClosing()) return;
    try {
      this.options.histories.append(step);
    } catch (err) {
      this.options.log?.(`could not save a step of ${step.executionName}: ${(err as Error).message}`);
    }
  }

  /** An execution's steps as saved (none without a history store, or when unreadable). */
  history(executionArn: string): StepEvent[] {
    return this.options.histories?.read(executionArn) ?? [];
  }

  /** Forgets an execution's history, with its record. */
  dropHistory(executionArn: string): void {
    try {
      this.options.histories?.remove(executionArn);
    } catch (err) {
      this.options.log?.(`could not remove the history of ${executionArn}: ${(err as Error).message}`);
    }
  }
}
