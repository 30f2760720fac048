import './node20-polyfill';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition } from './asl-from-template';
import { AwsServiceError } from './aws-error';
import type { CheckpointStore, ExecutionCheckpoint } from './execution-checkpoints';
import { FinishedHistories } from './history-retention';
import type { ExecutionRecord, ExecutionStatus, ExecutionStore } from './execution-store';
import { LambdaFunctionError } from './lambda-host';
import type { TaskBinding } from './task-bindings';
import type { TaskTokenBroker } from './task-token-broker';

/**
 * Step Functions executions on aws-local-stepfunctions: StartExecution semantics (name rules,
 * idempotency), every Task bound to its Lambda (task-bindings.ts), `.waitForTaskToken` through the
 * TaskTokenBroker, DescribeExecution, a step stream from the engine's event logs, and persistence of
 * execution records (execution-store.ts).
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

/** One step of an execution, from the engine's event log. Inputs and outputs are not included. */
export interface StepEvent {
  executionArn: string;
  executionName: string;
  type: string;
  timestamp: number;
  state?: string;
  stateType?: string;
  /** StateExited / StateFailed / StateCaught: time since the state was entered. */
  durationMs?: number;
  /** 'succeeded' | 'failed' | 'retrying' | 'caught' (state events) or the execution's status. */
  outcome?: string;
  error?: string;
  cause?: string;
  /** Map iteration index. */
  index?: number;
  /** StateRetried: the attempt number. */
  attempt?: number;
}

export interface ExecutionManagerOptions {
  machines: LocalStateMachine[];
  invoke: (logicalId: string, event: unknown) => Promise<unknown>;
  broker: TaskTokenBroker;
  store?: ExecutionStore;
  /** Where each running execution stands (resumeInterrupted goes on from there after a restart). */
  checkpoints?: CheckpointStore;
  /** Records from earlier runs, which keep their names taken (RUNNING ones: see interruptedRuns). */
  previous?: ExecutionRecord[];
  retryIntervalOverrides?: Record<string, number | number[]>;
  waitTimeOverrides?: Record<string, number>;
  onStep?: (event: StepEvent) => void;
  log?: (line: string) => void;
  /**
   * How many finished executions keep their step history in memory (the last to finish); older
   * ones' `history()` is empty, as for records of earlier runs.
   * @default 200
   */
  historyRetention?: number;
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

const DEFAULT_HISTORY_RETENTION = 200;

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export class ExecutionManager {
  private readonly machines = new Map<string, { machine: LocalStateMachine; engine: StateMachine }>();
  private readonly executions = new Map<string, LiveExecution>();
  private readonly changes = new EventEmitter();
  private readonly finishedHistories: FinishedHistories<LiveExecution>;
  private closing = false;

  constructor(private readonly options: ExecutionManagerOptions) {
    this.changes.setMaxListeners(0);
    this.finishedHistories = new FinishedHistories(options.historyRetention ?? DEFAULT_HISTORY_RETENTION);
    for (const machine of options.machines) {
      // Validates the ASL once, at start-up (asl-validator with ARN and path checks).
      const engine = new StateMachine(machine.definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
      this.machines.set(machine.arn, { machine, engine });
    }
    for (const record of options.previous ?? []) this.executions.set(record.executionArn, { record, history: [], minted: new Set() });
  }

  /** StartExecution. Throws AwsServiceError with Step Functions' error codes. */
  start(request: { stateMachineArn: string; name?: string; input?: string }): { executionArn: string; startDate: Date } {
    if (this.closing) throw new AwsServiceError('ServiceUnavailable', 'the local runtime is shutting down', 503);
    const entry = this.machines.get(request.stateMachineArn);
    if (!entry) {
      if (!/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(request.stateMachineArn ?? ''))
        throw new AwsServiceError('InvalidArn', `Invalid Arn: '${request.stateMachineArn}'`);
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${request.stateMachineArn}'`);
    }
    const name = request.name ?? randomUUID();
    if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = request.input ?? '{}';
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'Unexpected token in JSON'`);
    }
    if (Buffer.byteLength(inputText) > 262_144)
      throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: input exceeds 256 KiB');
    const executionArn = `arn:${arnTail(entry.machine.arn)}`.replace(':stateMachine:', ':execution:') + `:${name}`;
    const existing = this.executions.get(executionArn);
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
    this.persist(record);
    this.run(entry.machine, entry.engine, live, input);
    this.changes.emit('change', executionArn);
    return { executionArn, startDate: new Date(record.startDate) };
  }

  /** An execution by ARN or name (names are unique per state machine; the first match wins). */
  find(ref: string): ExecutionRecord | undefined {
    return this.lookup(ref)?.record;
  }

  /** DescribeExecution. */
  describe(executionArn: string): ExecutionRecord {
    const found = this.lookup(executionArn);
    if (!found) {
      if (!/^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/.test(executionArn ?? ''))
        throw new AwsServiceError('InvalidArn', `Invalid Arn: '${executionArn}'`);
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    }
    return { ...found.record };
  }

  list(filter: { status?: ExecutionStatus } = {}): ExecutionRecord[] {
    return [...this.executions.values()].map((e) => ({ ...e.record })).filter((r) => !filter.status || r.status === filter.status);
  }

  /**
   * The steps of an execution run by this runtime: empty for records from earlier runs and for
   * finished executions beyond the last `historyRetention` to finish.
   */
  history(ref: string): StepEvent[] {
    return [...(this.lookup(ref)?.history ?? [])];
  }

  /**
   * Resolves with the execution once it is no longer RUNNING. The execution may not exist yet (an
   * event-triggered start is asynchronous): the wait covers its appearance too.
   */
  wait(ref: string, options: { timeoutMs?: number } = {}): Promise<ExecutionRecord> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const r = this.find(ref);
        if (r && r.status !== 'RUNNING') {
          cleanup();
          resolve({ ...r });
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        const r = this.find(ref);
        reject(new Error(r ? `execution ${ref} still ${r.status} after ${timeoutMs} ms` : `no execution ${ref} within ${timeoutMs} ms`));
      }, timeoutMs);
      // close() ends every wait at once: no caller hangs, and no timer keeps the process alive.
      const closed = (): void => {
        cleanup();
        reject(new Error(`the local runtime closed while waiting for execution ${ref}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.changes.off('change', check);
        this.changes.off('closed', closed);
      };
      if (check()) return;
      if (this.closing) return closed();
      this.changes.on('change', check);
      this.changes.on('closed', closed);
    });
  }

  /**
   * The executions a previous run left RUNNING, each with the checkpoint it left (the state it
   * entered last and that state's input) and whether it can go on: its state machine must still
   * exist and still have that state.
   */
  interruptedRuns(): InterruptedRun[] {
    const checkpoints =
      this.options.checkpoints?.loadAll((file, reason) =>
        this.options.log?.(`checkpoint ${file} is unreadable (${reason}): its execution starts again from the start`),
      ) ?? new Map();
    const runs: InterruptedRun[] = [];
    for (const [arn] of checkpoints) {
      // Left by an execution that finished just before the stop: nothing to go on with.
      if (this.executions.get(arn)?.record.status !== 'RUNNING') this.dropCheckpoint(arn);
    }
    for (const { record } of this.executions.values()) {
      if (record.status !== 'RUNNING') continue;
      const checkpoint = checkpoints.get(record.executionArn);
      const entry = this.machines.get(record.stateMachineArn);
      const unresumable = !entry
        ? `its state machine ${record.stateMachineArn} is no longer in the template`
        : checkpoint && !(checkpoint.state in entry.machine.definition.States)
          ? `its state machine no longer has the state ${checkpoint.state}`
          : undefined;
      runs.push({ record, ...(checkpoint ? { checkpoint } : {}), ...(unresumable ? { unresumable } : {}) });
    }
    return runs;
  }

  /**
   * Goes on with an interrupted execution from the state it entered last, with that state's input,
   * as if the state were entered again by a Retry (a Task's function runs again; a Wait waits again,
   * until its timestamp or for its full seconds; a `.waitForTaskToken` Task gets a new token). Its
   * step history restarts at that state, and `$$.Execution.StartTime` is the time it went on.
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
    this.run(entry.machine, engine, live, JSON.parse(from ? from.input : live.record.input));
    this.changes.emit('change', live.record.executionArn);
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

  /**
   * Records one execution's change (the store appends it; it rewrites all only now and then).
   * False when it could not be saved (logged), or when there is no store.
   */
  private persist(record: ExecutionRecord): boolean {
    if (!this.options.store || this.closing) return false;
    try {
      this.options.store.saveOne(record, () => [...this.executions.values()].map((e) => e.record));
      return true;
    } catch (err) {
      this.options.log?.(`could not save executions: ${(err as Error).message}`);
      return false;
    }
  }

  private run(machine: LocalStateMachine, engine: StateMachine, live: LiveExecution, input: unknown): void {
    const { record } = live;
    const broker = this.options.broker;
    const context = {
      Execution: { Id: record.executionArn, Name: record.name, RoleArn: machine.roleArn, RedriveCount: 0 },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: {
        // Read once per state entry while the engine applies Parameters: a fresh token each time.
        get Token(): string {
          const token = broker.mint();
          live.minted.add(token);
          return token;
        },
      },
    };
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const b of machine.bindings) handlers[b.stateName] = (taskInput) => this.runTask(b, live, taskInput);
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
    const eventsDone = this.consumeEvents(live, execution.eventLogs, new Set(Object.keys(machine.definition.States)));
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
    this.finishedHistories.finished(live);
    this.options.broker.closeExecution(r.executionArn);
    // The outcome first: a crash between the two leaves a finished record and a stale checkpoint
    // (dropped at the next start), never a RUNNING record without its checkpoint (run again from
    // the start).
    // A failed save keeps the checkpoint: the record on disk still says RUNNING, and without its
    // checkpoint the next start would run the execution again from the start.
    if (this.persist(r) || !this.options.store) this.dropCheckpoint(r.executionArn);
    this.changes.emit('change', r.executionArn);
  }

  private async runTask(binding: TaskBinding, live: LiveExecution, input: unknown): Promise<unknown> {
    const fnId = binding.fn.logicalId;
    const params = (input ?? {}) as { Payload?: unknown; InvocationType?: string };
    if (binding.integration === 'lambda-arn') return this.invokeForTask(fnId, input);
    if (binding.integration === 'lambda-invoke') {
      if (params.InvocationType === 'Event') {
        this.invokeAsync(fnId, params.Payload ?? {});
        return { StatusCode: 202, Payload: '' };
      }
      const requestId = randomUUID();
      const payload = await this.invokeForTask(fnId, params.Payload ?? {});
      return {
        ExecutedVersion: '$LATEST',
        Payload: payload,
        SdkHttpMetadata: {
          HttpHeaders: { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId },
          HttpStatusCode: 200,
        },
        SdkResponseMetadata: { RequestId: requestId },
        StatusCode: 200,
      };
    }
    // waitForTaskToken: register the token minted for this entry, invoke, then await the callback.
    const token = findToken(params.Payload ?? input, live.minted);
    if (token) live.minted.delete(token);
    if (!token) this.options.log?.(`${binding.stateName}: the Payload carries no $$.Task.Token; the task can only time out`);
    // Without a token in the payload nobody can answer; an unreachable token still lets close() end the wait.
    const waitToken = token ?? this.options.broker.mint();
    const waiting = this.options.broker.wait(waitToken, {
      executionArn: live.record.executionArn,
      stateName: binding.stateName,
      ...(binding.timeoutSeconds !== undefined ? { timeoutMs: binding.timeoutSeconds * 1000 } : {}),
      ...(binding.heartbeatSeconds !== undefined ? { heartbeatMs: binding.heartbeatSeconds * 1000 } : {}),
    });
    if (params.InvocationType === 'Event') {
      this.invokeAsync(fnId, params.Payload ?? {});
      return waiting;
    }
    try {
      await this.invokeForTask(fnId, params.Payload ?? {});
    } catch (err) {
      // The Invoke itself failed: the Task fails with the function's error (a later callback meets a closed token).
      this.options.broker.reject(waitToken, err as Error);
    }
    return waiting;
  }

  private async invokeForTask(fnId: string, event: unknown): Promise<unknown> {
    try {
      return await this.options.invoke(fnId, event);
    } catch (err) {
      throw toTaskError(err);
    }
  }

  private invokeAsync(fnId: string, event: unknown): void {
    this.options
      .invoke(fnId, event)
      .catch((err: unknown) => this.options.log?.(`async invoke of ${fnId} failed: ${(err as Error).name}: ${(err as Error).message}`));
  }

  /** Saves where the execution stands; a failed write costs only the resume point, not the run. */
  private checkpoint(cp: ExecutionCheckpoint): void {
    if (!this.options.checkpoints || this.closing) return;
    try {
      this.options.checkpoints.write(cp);
    } catch (err) {
      this.options.log?.(`could not save the checkpoint of ${cp.executionArn}: ${(err as Error).message}`);
    }
  }

  private dropCheckpoint(executionArn: string): void {
    try {
      this.options.checkpoints?.remove(executionArn);
    } catch (err) {
      this.options.log?.(`could not remove the checkpoint of ${executionArn}: ${(err as Error).message}`);
    }
  }

  private async consumeEvents(live: LiveExecution, events: AsyncGenerator<unknown>, topLevel: Set<string>): Promise<void> {
    const entered = new Map<string, number>();
    const { executionArn, name } = live.record;
    // The top-level state being run: states inside a Map or Parallel state do not move the checkpoint.
    let current: string | undefined;
    try {
      for await (const raw of events) {
        const ev = raw as {
          type: string;
          timestamp: number;
          state?: { name: string; type: string; input?: unknown };
          index?: number;
          Error?: string;
          Cause?: unknown;
          retry?: { attempt: number };
        };
        if (ev.state && ev.index === undefined && topLevel.has(ev.state.name)) {
          if (ev.type === 'StateEntered' && current === undefined) {
            current = ev.state.name;
            this.checkpoint({ executionArn, state: current, input: JSON.stringify(ev.state.input ?? {}), enteredAt: new Date(ev.timestamp).toISOString() });
          } else if ((ev.type === 'StateExited' || ev.type === 'StateFailed' || ev.type === 'StateCaught') && ev.state.name === current) {
            current = undefined;
          }
        }
        const key = `${ev.state?.name ?? ''}|${ev.index ?? ''}`;
        const step: StepEvent = { executionArn, executionName: name, type: ev.type, timestamp: ev.timestamp };
        if (ev.state) {
          step.state = ev.state.name;
          step.stateType = ev.state.type;
        }
        if (ev.index !== undefined) step.index = ev.index;
        if (ev.Error !== undefined) step.error = ev.Error;
        if (ev.Cause !== undefined) step.cause = typeof ev.Cause === 'string' ? ev.Cause : JSON.stringify(ev.Cause);
        switch (ev.type) {
          case 'StateEntered':
            entered.set(key, ev.timestamp);
            break;
          case 'StateExited':
          case 'StateFailed':
          case 'StateCaught': {
            const t0 = entered.get(key);
            if (t0 !== undefined) step.durationMs = ev.timestamp - t0;
            step.outcome = ev.type === 'StateExited' ? 'succeeded' : ev.type === 'StateFailed' ? 'failed' : 'caught';
            break;
          }
          case 'StateRetried':
            step.outcome = 'retrying';
            if (ev.retry) step.attempt = ev.retry.attempt;
            entered.set(key, ev.timestamp);
            break;
          case 'ExecutionSucceeded':
            step.outcome = 'SUCCEEDED';
            break;
          case 'ExecutionFailed':
            step.outcome = 'FAILED';
            break;
          case 'ExecutionTimeout':
            step.outcome = 'TIMED_OUT';
            break;
          case 'ExecutionAborted':
            step.outcome = 'ABORTED';
            break;
        }
        live.history.push(step);
        try {
          this.options.onStep?.(step);
        } catch {
          // A listener's bug must not break the execution.
        }
      }
    } catch (err) {
      this.options.log?.(`event stream of ${name} ended: ${(err as Error).message}`);
    }
  }
}

function arnTail(arn: string): string {
  return arn.slice('arn:'.length);
}

/** A Lambda error as Step Functions surfaces it: Error = errorType, Cause = the error payload JSON. */
export function toTaskError(err: unknown): Error {
  if (err instanceof LambdaFunctionError) return Object.assign(new Error(err.causeJson), { name: err.errorType });
  const e = err instanceof Error ? err : new Error(String(err));
  return Object.assign(new Error(e.message), { name: 'States.TaskFailed' });
}

function outcomeOf(err: unknown): { status: ExecutionStatus; error?: string; cause?: string } {
  if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
  if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (err instanceof ExecutionError) {
    const cause = (err as Error & { cause?: { name?: string; message?: string } }).cause;
    return { status: 'FAILED', error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? '' };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: err instanceof Error ? err.message : String(err) };
}

/** The minted token a Task's processed input carries (anywhere in it). */
function findToken(value: unknown, minted: Set<string>): string | undefined {
  if (typeof value === 'string') return minted.has(value) ? value : undefined;
  if (value && typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) {
      const t = findToken(v, minted);
      if (t) return t;
    }
  }
  return undefined;
}

/**
 * Where a Task checkpointed at `checkpoint` goes once it succeeded with `output`: its Next state,
 * with the output placed at its ResultPath (a top-level `$.name` path; anything else is refused,
 * and the caller enters the Task again instead).
 */
export function afterTask(definition: AslDefinition, checkpoint: ExecutionCheckpoint, output: unknown): ExecutionCheckpoint {
  const state = definition.States[checkpoint.state] as
    | { Type?: string; Next?: string; ResultPath?: string; ResultSelector?: unknown; OutputPath?: string }
    | undefined;
  const field = /^\$\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(state?.ResultPath ?? '')?.[1];
  if (state?.Type !== 'Task' || !state.Next || !field || state.ResultSelector !== undefined || (state.OutputPath ?? '$') !== '$') {
    throw new Error(`state ${checkpoint.state} is not a Task whose result can be placed by hand`);
  }
  const input = JSON.parse(checkpoint.input) as Record<string, unknown>;
  return { ...checkpoint, state: state.Next, input: JSON.stringify({ ...input, [field]: output }) };
}
