import { AwsServiceError } from './aws-error';
import { FUNCTION_SESSION_TOKEN } from './function-env';
import type { LambdaHost } from './lambda-host';
import { LambdaFunctionError, RUNTIME_CLOSED_ERROR_TYPE } from './lambda-errors';

/**
 * The local runtime's graceful stop (`rt.stop()`; Ctrl+C and SIGTERM in `procure local`), in order:
 *
 * 1. No new work: the API answers 503; StartExecution and PutEvents from outside the functions
 *    (the CLI, a test, another program) answer 503 ServiceUnavailable; running executions take no
 *    further step (their next Task invocation is held, never started), so they stay RUNNING on disk
 *    and go on from that state at the next start, exactly as after any stop.
 * 2. Lambda invocations already running finish, bounded by `drainMs`: a vendor call in flight
 *    completes and its result is recorded by the handler that made it. Their own AWS calls
 *    (DynamoDB, SendTask*, PutEvents, StartExecution, SES) still work meanwhile.
 * 3. close(): whatever still runs is cut off, ports are freed and the data folder is unlocked.
 */
export interface StopOptions {
  /** How long in-flight Lambda invocations may take to finish. @default DEFAULT_DRAIN_MS (30 s) */
  drainMs?: number;
  /** Called once when the stop starts waiting, with the number of invocations in flight (> 0). */
  onDrain?: (inflight: number) => void;
}

export interface StopResult {
  /** Invocations in flight when the stop began. */
  inflight: number;
  /** Of those, how many were still running at the deadline and were cut off by close(). */
  cutOff: number;
  /** Time spent waiting for them. */
  waitedMs: number;
}

export const DEFAULT_DRAIN_MS = 30_000;

const SHUTTING_DOWN = 'the local runtime is shutting down and takes no new work';

/** Operations that start new work when they come from outside the hosted functions. */
const NEW_WORK = new Set(['sfn:StartExecution', 'events:PutEvents']);

export class StopGate {
  private stopping = false;
  private stopped?: Promise<StopResult>;
  private readonly held: Array<(err: Error) => void> = [];

  get isStopping(): boolean {
    return this.stopping;
  }

  /** The answer outside callers get for new work while the runtime stops. */
  static refusal(): AwsServiceError {
    return new AwsServiceError('ServiceUnavailable', SHUTTING_DOWN, 503);
  }

  /**
   * Wraps the executions' Task invocations: while stopping, a new one is held (neither started nor
   * failed) so no execution takes a step, or a Catch path, because of the stop. The runtime's close
   * aborts the engine runs, then {@link releaseHeld} ends the held invocations.
   */
  holdWhileStopping<A extends unknown[], R>(invoke: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return (...args) => (this.stopping ? new Promise<R>((_, reject) => this.held.push(reject)) : invoke(...args));
  }

  /**
   * Fails the held invocations with `Local.RuntimeClosed`, as close() fails running ones. Call it
   * after the executions are aborted (their outcome is no longer recorded) and before the task-token
   * broker closes: a held callback Task then hands its token wait to the engine like any failed
   * invoke, instead of leaving it to reject unobserved. Resolves after a turn of the event loop, so
   * those hand-overs have happened.
   */
  async releaseHeld(): Promise<void> {
    if (this.held.length === 0) return;
    const err = new LambdaFunctionError(RUNTIME_CLOSED_ERROR_TYPE, 'the local runtime is closed');
    for (const reject of this.held.splice(0)) reject(err);
    await new Promise((r) => setImmediate(r));
  }

  /** Throws the 503 refusal while stopping (internal starts, e.g. an EventBridge rule's state machine target). */
  refuseNewWork(): void {
    if (this.stopping) throw StopGate.refusal();
  }

  /** The loopback AWS endpoint's gate: outside callers' new work is refused while stopping. */
  admit(call: { service: string; operation: string; sessionToken: string | undefined }): void {
    if (!this.stopping || call.sessionToken === FUNCTION_SESSION_TOKEN) return;
    if (NEW_WORK.has(`${call.service}:${call.operation}`)) throw StopGate.refusal();
  }

  /** Runs the ordered stop once; later calls get the same result. */
  stop(
    parts: { router: { stopAccepting(message: string): void }; host: Pick<LambdaHost, 'inflight' | 'drain'>; close: () => Promise<void> },
    options: StopOptions = {},
  ): Promise<StopResult> {
    this.stopped ??= (async () => {
      this.stopping = true;
      parts.router.stopAccepting(SHUTTING_DOWN);
      const inflight = parts.host.inflight();
      const t0 = Date.now();
      if (inflight > 0) {
        options.onDrain?.(inflight);
        await parts.host.drain(options.drainMs ?? DEFAULT_DRAIN_MS);
      } else {
        await parts.host.drain(0);
      }
      const result = { inflight, cutOff: parts.host.inflight(), waitedMs: Date.now() - t0 };
      // One turn of the event loop: the finished invocations' results reach their executions, which
      // record the step (StateExited, onStep) and stop at their next, held, Task before close() aborts them.
      await new Promise((r) => setImmediate(r));
      await parts.close();
      return result;
    })();
    return this.stopped;
  }
}
