import { randomBytes } from 'node:crypto';
import { AwsServiceError } from './aws-error';

/**
 * Task tokens for `.waitForTaskToken` states (local-aws-runtime.md §1.6). The engine knows nothing
 * of callbacks: the runtime mints a token per state entry, registers it here before invoking the
 * Lambda that receives it, and the Task's promise is this broker's wait. SendTaskSuccess /
 * SendTaskFailure / SendTaskHeartbeat (through the SFN facade) settle or extend it; a token that was
 * used, expired or belongs to a finished execution answers `TaskTimedOut`, a malformed one
 * `InvalidToken`, like Step Functions.
 */
interface Waiter {
  executionArn: string;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (err: Error) => void;
  expiry?: NodeJS.Timeout;
  heartbeatMs?: number;
  heartbeat?: NodeJS.Timeout;
}

const TOKEN_PATTERN = /^AQ[A-Za-z0-9_-]{86}$/;

export class TaskTokenBroker {
  private readonly waiters = new Map<string, Waiter>();

  /** A fresh opaque token (base64url, the length of a short real one). */
  mint(): string {
    return `AQ${randomBytes(64).toString('base64url')}`;
  }

  isWellFormed(token: string): boolean {
    return TOKEN_PATTERN.test(token);
  }

  /**
   * Registers `token` and returns the promise the Task awaits. After `timeoutMs` the token is
   * closed (later calls answer TaskTimedOut) but the promise stays pending: the engine's own timer
   * for the state's TimeoutSeconds fails the Task with `States.Timeout`. `heartbeatMs` emulates
   * HeartbeatSeconds, which the engine ignores: no heartbeat in time rejects with
   * `States.HeartbeatTimeout`.
   */
  wait(token: string, options: { executionArn: string; stateName: string; timeoutMs?: number; heartbeatMs?: number }): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { executionArn: options.executionArn, stateName: options.stateName, resolve, reject };
      if (options.timeoutMs !== undefined) {
        waiter.expiry = setTimeout(() => this.close(token), options.timeoutMs);
      }
      if (options.heartbeatMs !== undefined) {
        waiter.heartbeatMs = options.heartbeatMs;
        this.armHeartbeat(token, waiter);
      }
      this.waiters.set(token, waiter);
    });
  }

  /** SendTaskSuccess: `output` is the Task's result. */
  sendTaskSuccess(token: string, output: unknown): void {
    const w = this.take(token);
    w.resolve(output);
  }

  /** SendTaskFailure: the Task fails with Error = `error`, Cause = `cause` (Retry/Catch match the name). */
  sendTaskFailure(token: string, error = '', cause = ''): void {
    const w = this.take(token);
    w.reject(Object.assign(new Error(cause), { name: error }));
  }

  /** SendTaskHeartbeat: restarts the heartbeat timer. */
  sendTaskHeartbeat(token: string): void {
    const w = this.lookup(token);
    if (w.heartbeatMs !== undefined) this.armHeartbeat(token, w);
  }

  /** Fails one waiting Task (used when the callback Lambda itself fails). */
  reject(token: string, err: Error): void {
    const w = this.waiters.get(token);
    if (!w) return;
    this.close(token);
    w.reject(err);
  }

  /** Closes every token of a finished or aborted execution, without settling anything. */
  closeExecution(executionArn: string): void {
    for (const [token, w] of this.waiters) if (w.executionArn === executionArn) this.close(token);
  }

  /** Tokens currently waiting (never logged: callers get execution and state only). */
  waiting(): Array<{ executionArn: string; stateName: string }> {
    return [...this.waiters.values()].map((w) => ({ executionArn: w.executionArn, stateName: w.stateName }));
  }

  /**
   * Shutdown: closes every token and rejects its wait, so the engine's pending Task races settle
   * and clear their timers (a 72-hour approval timer would otherwise keep the process alive).
   */
  closeAll(reason: Error = Object.assign(new Error('the local runtime is closed'), { name: 'Local.RuntimeClosed' })): void {
    for (const [token, w] of [...this.waiters]) {
      this.close(token);
      w.reject(reason);
    }
  }

  private lookup(token: string): Waiter {
    if (typeof token !== 'string' || !this.isWellFormed(token)) throw new AwsServiceError('InvalidToken', "Invalid Token: 'Invalid token'");
    const w = this.waiters.get(token);
    if (!w) throw new AwsServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    return w;
  }

  private take(token: string): Waiter {
    const w = this.lookup(token);
    this.close(token);
    return w;
  }

  private close(token: string): void {
    const w = this.waiters.get(token);
    if (!w) return;
    if (w.expiry) clearTimeout(w.expiry);
    if (w.heartbeat) clearTimeout(w.heartbeat);
    this.waiters.delete(token);
  }

  private armHeartbeat(token: string, w: Waiter): void {
    if (w.heartbeat) clearTimeout(w.heartbeat);
    w.heartbeat = setTimeout(() => {
      this.close(token);
      w.reject(Object.assign(new Error(''), { name: 'States.HeartbeatTimeout' }));
    }, w.heartbeatMs);
  }
}
