import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { ExecutionCheckpoint } from './execution-checkpoints';
import type { ExecutionStatus } from './execution-store';

/**
 * What the aws-local-stepfunctions engine reports, in the runtime's terms: each event of its log as
 * a StepEvent (the step stream and DescribeExecution's history read these), the checkpoint each
 * entry of a top-level state moves the execution to, and the error its run ends with as an
 * execution outcome. Kept apart from executions.ts so the mapping of the engine's
 * shapes lives in one place.
 */

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

/** One event of the engine's log, as far as the runtime reads it. */
export interface EngineEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown };
  index?: number;
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
}

/**
 * The StepEvent for one engine event. `entered` holds, per state (and Map index), when it was
 * entered last: it is updated here, and gives the exits their duration.
 */
export function stepFromEngineEvent(ev: EngineEvent, execution: { executionArn: string; name: string }, entered: Map<string, number>): StepEvent {
  const key = `${ev.state?.name ?? ''}|${ev.index ?? ''}`;
  const step: StepEvent = { executionArn: execution.executionArn, executionName: execution.name, type: ev.type, timestamp: ev.timestamp };
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
  return step;
}

/**
 * The top-level state an execution is in, followed through its engine events; states inside a Map
 * or Parallel state do not move it. Its checkpoint (execution-checkpoints.ts) is the state it
 * entered last, with that state's input.
 */
export class TopLevelState {
  private current: string | undefined;

  constructor(
    private readonly executionArn: string,
    private readonly topLevel: ReadonlySet<string>,
  ) {}

  /** The checkpoint `ev` moves the execution to (when it enters a top-level state), or undefined. */
  checkpointAfter(ev: EngineEvent): ExecutionCheckpoint | undefined {
    if (!ev.state || ev.index !== undefined || !this.topLevel.has(ev.state.name)) return undefined;
    if (ev.type === 'StateEntered' && this.current === undefined) {
      this.current = ev.state.name;
      return {
        executionArn: this.executionArn,
        state: this.current,
        input: JSON.stringify(ev.state.input ?? {}),
        enteredAt: new Date(ev.timestamp).toISOString(),
      };
    }
    if ((ev.type === 'StateExited' || ev.type === 'StateFailed' || ev.type === 'StateCaught') && ev.state.name === this.current) this.current = undefined;
    return undefined;
  }
}

/** The outcome of an engine run that ended with `err` (a timeout, an abort, a state's error, or anything else). */
export function outcomeOf(err: unknown): { status: ExecutionStatus; error?: string; cause?: string } {
  if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
  if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (err instanceof ExecutionError) {
    const cause = (err as Error & { cause?: { name?: string; message?: string } }).cause;
    return { status: 'FAILED', error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? '' };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: err instanceof Error ? err.message : String(err) };
}
