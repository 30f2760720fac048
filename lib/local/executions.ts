import './node20-polyfill';
import { EventEmitter } from 'node:events';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition } from './asl-from-template';
import { AwsServiceError } from './aws-error';
import type { CheckpointStore, ExecutionCheckpoint } from './execution-checkpoints';
import { ExecutionDurability } from './execution-durability';
import { outcomeOf, type StepEvent } from './execution-engine-events';
import { recordSteps } from './execution-steps';
import { afterTask, unresumableReason } from './execution-resume';
import { checkStartRequest, executionArnOf, unknownExecution, unknownStateMachine } from './execution-start-rules';
import { type ExecutionRecord, type ExecutionStatus, type ExecutionStore, MAX_RECORDS } from './execution-store';
import { TaskRunner } from './execution-tasks';
import { waitUntilFinished } from './execution-waits';
import { ExecutionArchive } from './execution-archive';
import type { HistoryStore } from './history-files';
import { FinishedRetention, inFinishOrder } from './history-retention';
import { KEPT_IN_MEMORY } from './keep-latest';
import type { TaskBinding } from './task-bindings';
import type { TaskTokenBroker } from './task-token-broker';

/**
 * Step Functions executions on aws-local-stepfunctions: StartExecution semantics (name rules,
 * idempotency), every Task bound to its Lambda (task-bindings.ts), `.waitForTaskToken` through the
 * TaskTokenBroker, DescribeExecution, a step stream from the engine's event logs, and persistence of
 * execution records (execution-store.ts). Split by concern (each file says why): the engine's events
 * and outcomes, the Lambda Task integrations, StartExecution's rules, resuming, persistence, retention and waits.
 */
export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  roleArn: string;
  /** The definition the engine runs (Task timeouts explicit, see withExplicitTaskTimeouts). */
  definition: AslDefinition;
  bindings: TaskBinding[];
}

export interface ExecutionManagerOptions {
  machines: LocalStateMachine[];
  invoke: (logicalId: string, event: unknown) => Promise<unknown>;
  broker: TaskTokenBroker;
  store?: ExecutionStore;
  /** Where each running execution stands (resumeInterrupted goes on from there after a restart). */
  checkpoints?: CheckpointStore;
  /** Where the step histories are kept; then memory keeps none (`historyRetention` does not apply). */
  histories?: HistoryStore;
  /** Records from earlier runs, which keep their names taken (RUNNING ones: see interruptedRuns). */
  previous?: ExecutionRecord[];
  retryIntervalOverrides?: Record<string, number | number[]>;
  waitTimeOverrides?: Record<string, number>;
  onStep?: (event: StepEvent) => void;
  log?: (line: string) => void;
  /** How many finished executions keep their step history in memory (the last to finish; older ones' `history()` is empty). @default KEPT_IN_MEMORY (100) */
  historyRetention?: number;
  /**
   * How many finished executions keep their whole record in memory (the last to finish;
   * history-retention.ts). With a store, older ones are read back from it up to MAX_RECORDS in all
   * (execution-archive.ts); without one, they are forgotten. @default KEPT_IN_MEMORY (100) with a store, else MAX_RECORDS
   */
  recordRetention?: number;
}

/** An execution a previous run left RUNNING, and where it can go on from. */
export interface InterruptedRun {
  record: ExecutionRecord;
  /** The state it entered last (undefined: it entered none, and starts again from the start). */
  checkpoint?: ExecutionCheckpoint;
  /** Why it cannot go on (its state machine or state no longer exists), or undefined when it can. */
  unresumable?: string;
}

interface LiveExecution {
  record: ExecutionRecord;
  history: StepEvent[];
  abort?: () => void;
  minted: Set<string>;
}

export class ExecutionManager {
  private readonly machines = new Map<string, { machine: LocalStateMachine; engine: StateMachine }>();
  private readonly executions = new Map<string, LiveExecution>();
  private readonly changes = new EventEmitter();
  private readonly retention: FinishedRetention<LiveExecution>;
  /** The finished records kept on disk only, when there is a store. */
  private readonly archive: ExecutionArchive | undefined;
  private readonly durability: ExecutionDurability;
  private readonly tasks: TaskRunner;
  private closing = false;

  constructor(private readonly options: ExecutionManagerOptions) {
    this.changes.setMaxListeners(0);
    const limits = {
      histories: options.historyRetention ?? KEPT_IN_MEMORY,
      records: options.recordRetention ?? (options.store ? KEPT_IN_MEMORY : MAX_RECORDS),
    };
    const archived = Math.max(0, MAX_RECORDS - limits.records);
    this.archive = options.store && new ExecutionArchive(options.store, archived, (arn) => this.durability.dropHistory(arn));
    this.retention = new FinishedRetention(limits, (e) => {
      // One whose outcome failed to save stays whole in memory: the disk would tell it RUNNING.
      if (this.archive && this.durability.isUnsaved(e.record.executionArn)) return;
      this.executions.delete(e.record.executionArn);
      this.archive?.add(e.record);
    });
    this.durability = new ExecutionDurability(
      options,
      () => this.closing,
      () => this.list(),
    );
    this.tasks = new TaskRunner(options);
    for (const machine of options.machines) {
      // Validates the ASL once, at start-up (asl-validator with ARN and path checks).
      const engine = new StateMachine(machine.definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
      this.machines.set(machine.arn, { machine, engine });
    }
    for (const record of inFinishOrder(options.previous ?? [])) {
      const live: LiveExecution = { record, history: [], minted: new Set() };
      this.executions.set(record.executionArn, live);
      if (record.status !== 'RUNNING') this.retention.remember(live);
    }
  }

  /** StartExecution. Throws AwsServiceError with Step Functions' error codes. */
  start(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date } {
    if (this.closing) throw new AwsServiceError('ServiceUnavailable', 'the local runtime is shutting down', 503);
    const entry = this.machines.get(request.stateMachineArn);
    if (!entry) throw unknownStateMachine(request.stateMachineArn);
    const { name, inputText, input } = checkStartRequest(request);
    const executionArn = executionArnOf(entry.machine.arn, name);
    const existing = this.executions.get(executionArn);
    if (this.archive?.has(executionArn)) throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    if (existing) {
      // AWS: same name and input while RUNNING is idempotent; anything else is a conflict.
      if (existing.record.status === 'RUNNING' && existing.record.input === inputText) {
        return { executionArn, startDate: new Date(existing.record.startDate) };
      }
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: entry.machine.arn,
      name,
      status: 'RUNNING',
      input: inputText,
      startDate: new Date().toISOString(),
    };
    const live: LiveExecution = { record, history: [], minted: new Set() };
    this.executions.set(executionArn, live);
    this.durability.persist(record);
    this.run(entry.machine, entry.engine, live, input);
    this.changes.emit('change', executionArn);
    return { executionArn, startDate: new Date(record.startDate) };
  }

  /** An execution by ARN or name (names are unique per state machine; the first match wins). */
  find(ref: string): ExecutionRecord | undefined {
    return this.lookup(ref)?.record ?? this.archive?.read(ref);
  }

  /** DescribeExecution. */
  describe(executionArn: string): ExecutionRecord {
    const found = this.find(executionArn);
    if (!found) throw unknownExecution(executionArn);
    return { ...found };
  }

  /** Every record kept, in memory or on disk (those only on disk read at once); RUNNING ones are all in memory. */
  list(filter: { status?: ExecutionStatus } = {}): ExecutionRecord[] {
    const kept = [...this.executions.values()].map((e) => ({ ...e.record }));
    const all = filter.status === 'RUNNING' ? kept : [...(this.archive?.records() ?? []), ...kept];
    return all.filter((r) => !filter.status || r.status === filter.status);
  }

  /** An execution's steps: from disk when kept there (earlier runs' too), else this run's, running or among the last `historyRetention`. */
  history(ref: string): StepEvent[] {
    const live = this.lookup(ref);
    return this.durability.steps(live?.record.executionArn ?? this.archive?.arnOf(ref), live?.history ?? []);
  }

  /** Resolves with the execution once it is no longer RUNNING; the wait covers its appearance too (an event-triggered start is asynchronous). */
  wait(ref: string, options: { timeoutMs?: number } = {}): Promise<ExecutionRecord> {
    return waitUntilFinished(this.changes, (r) => this.find(r), this.closing, ref, options.timeoutMs ?? 30_000);
  }

  /**
   * The executions a previous run left RUNNING, each with the checkpoint it left (the state it
   * entered last and that state's input) and whether it can go on: its state machine must still
   * exist and still have that state.
   */
  interruptedRuns(): InterruptedRun[] {
    const checkpoints = this.durability.loadCheckpoints();
    const runs: InterruptedRun[] = [];
    for (const [arn] of checkpoints) {
      // Left by an execution that finished just before the stop: nothing to go on with.
      if (this.executions.get(arn)?.record.status !== 'RUNNING') this.durability.dropCheckpoint(arn);
    }
    for (const { record } of this.executions.values()) {
      if (record.status !== 'RUNNING') continue;
      const checkpoint = checkpoints.get(record.executionArn);
      const unresumable = unresumableReason(record.stateMachineArn, this.machines.get(record.stateMachineArn)?.machine.definition, checkpoint);
      runs.push({ record, ...(checkpoint ? { checkpoint } : {}), ...(unresumable ? { unresumable } : {}) });
    }
    return runs;
  }

  /**
   * Goes on with an interrupted execution from the state it entered last, with that state's input,
   * as if the state were entered again by a Retry (a Task's function runs again; a Wait waits again,
   * until its timestamp or for its full seconds; a `.waitForTaskToken` Task gets a new token). Its
   * step history goes on from that state (on disk, after the steps it had), and `$$.Execution.StartTime` is the time it went on.
   */
  resume(run: InterruptedRun, delivered?: { output: unknown }): void {
    if (run.unresumable) throw new Error(`execution ${run.record.name} cannot go on: ${run.unresumable}`);
    const live = this.executions.get(run.record.executionArn);
    const entry = this.machines.get(run.record.stateMachineArn);
    if (!live || !entry || live.record.status !== 'RUNNING') throw new Error(`execution ${run.record.name} is not an interrupted one`);
    // A callback recorded but not delivered before the stop: the Task ends with it, as SendTaskSuccess would have.
    const from = delivered && run.checkpoint ? afterTask(entry.machine.definition, run.checkpoint, delivered.output) : run.checkpoint;
    const definition = from ? { ...entry.machine.definition, StartAt: from.state } : entry.machine.definition;
    // Validated at start-up as the whole machine; started mid-way, its earlier states are unreachable.
    const engine = from ? new StateMachine(definition as never, { validationOptions: { noValidate: true } }) : entry.engine;
    this.run(entry.machine, engine, live, JSON.parse(from ? from.input : live.record.input), true);
    this.changes.emit('change', live.record.executionArn);
  }

  /** Records closed outside the engine (an earlier run's, closed as interrupted at start) now count as finished, for retention. */
  finishedOutside(executionArns: readonly string[]): void {
    for (const live of executionArns.map((arn) => this.executions.get(arn))) if (live && live.record.status !== 'RUNNING') this.retention.finished(live);
  }

  /** Aborts the engine runs without recording an outcome: they stay RUNNING in the store. */
  close(): void {
    this.closing = true;
    for (const e of this.executions.values()) e.abort?.();
    this.changes.emit('closed');
    this.changes.removeAllListeners();
  }

  private lookup(ref: string): LiveExecution | undefined {
    const byArn = this.executions.get(ref);
    if (byArn) return byArn;
    for (const e of this.executions.values()) if (e.record.name === ref) return e;
    return undefined;
  }

  /** Runs `engine` for `live`; `goesOn`: it goes on after a restart (resume). */
  private run(machine: LocalStateMachine, engine: StateMachine, live: LiveExecution, input: unknown, goesOn = false): void {
    const taskExecution = { executionArn: live.record.executionArn, minted: live.minted };
    const context = this.tasks.contextObject(machine, live.record.name, taskExecution);
    const handlers = this.tasks.handlers(machine.bindings, taskExecution);
    const execution = engine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        ...(this.options.retryIntervalOverrides ? { retryIntervalOverrides: this.options.retryIntervalOverrides } : {}),
        ...(this.options.waitTimeOverrides ? { waitTimeOverrides: this.options.waitTimeOverrides } : {}),
      },
      context: context as never,
      noThrowOnAbort: true,
    });
    live.abort = execution.abort;
    const keep = this.durability.keeper(live.record.executionArn, live.history, goesOn);
    const eventsDone = recordSteps(live.record, keep, execution.eventLogs, machine.definition.States, this.options, this.durability);
    // The history is complete before the execution reports its end (the engine's log closes right
    // after the last event; the timer only guards against a log that never closes).
    const drained = (): Promise<unknown> => Promise.race([eventsDone, new Promise((r) => setTimeout(r, 1000).unref())]);
    execution.result.then(
      async (output) => {
        if (this.closing && output === null) return; // aborted by close(): stays RUNNING on disk
        await drained();
        this.finish(live, { status: 'SUCCEEDED', output: JSON.stringify(output) });
      },
      async (err: unknown) => {
        await drained();
        this.finish(live, outcomeOf(err));
      },
    );
  }

  private finish(live: LiveExecution, outcome: { status: ExecutionStatus; output?: string; error?: string; cause?: string }): void {
    if (this.closing) return;
    const r = live.record;
    r.status = outcome.status;
    r.stopDate = new Date().toISOString();
    if (outcome.output !== undefined) r.output = outcome.output;
    if (outcome.error !== undefined) r.error = outcome.error;
    if (outcome.cause !== undefined) r.cause = outcome.cause;
    live.minted.clear();
    // The engine run (its states' inputs and outputs) is no longer needed once finished.
    live.abort = undefined;
    this.retention.finished(live);
    this.options.broker.closeExecution(r.executionArn);
    // The outcome first: a crash between the two leaves a finished record and a stale checkpoint
    // (dropped at the next start). A failed save keeps the checkpoint: the record on disk still says
    // RUNNING, and without its checkpoint the next start would run the execution again from the start.
    if (this.durability.persist(r) || !this.durability.hasStore) this.durability.dropCheckpoint(r.executionArn);
    this.changes.emit('change', r.executionArn);
  }
}
