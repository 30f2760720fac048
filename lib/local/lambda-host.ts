import { randomUUID } from 'node:crypto';
import { toJsonText } from './deep-json';
import { LambdaFunctionError, RUNTIME_CLOSED_ERROR_TYPE, THROTTLED_ERROR_TYPE } from './lambda-errors';
import { type Environment, failInvocation, FunctionPool, type HostedFunction, type Invocation } from './lambda-pool';
import type { InvocationRecord } from './metering';

// Split by concern: the errors invocations fail with (lambda-errors.ts) and one function's
// environments (lambda-pool.ts).

/**
 * Runs the bundled handlers unchanged, as Lambda runs them: each execution environment is a worker
 * thread with the function's own `process.env` and module state (lambda-worker.cjs), and handles
 * ONE invocation at a time. An idle environment takes the next invocation (warm start); a
 * concurrent one gets an environment of its own (cold start), up to the function's concurrency
 * limit, beyond which the invocation is throttled (`Lambda.TooManyRequestsException`, as Lambda
 * answers; Step Functions retries it as "never ran"). So module-level caches, clients and pacers are
 * per environment, never shared between concurrent invocations. The function timeout counts from
 * the handler's start, as on Lambda: a cold start's init (loading the code) is bounded separately,
 * by Lambda's 10 s init limit plus the function timeout (Lambda retries a slow init within the
 * invoke), so a burst of cold starts on a busy machine does not time out handlers that never ran. An environment whose invocation timed out, failed to initialize or crashed is thrown
 * away; the next invocation gets a fresh one. Each cold start checks its bundle before loading it
 * (owner, modes, content against the CDK asset hash: bundle-integrity.cjs); a bundle changed since
 * synth fails the invocation as an init error `Local.BundleRejected`, and none of its code runs.
 */
export interface LambdaHostOptions {
  /** Receives each line the handlers print, prefixed with the function's construct id. */
  log?: (line: string) => void;
  /**
   * Execution environments per function at once (Lambda's function concurrency). An invocation
   * that finds them all busy is throttled with `Lambda.TooManyRequestsException`.
   * @default DEFAULT_LAMBDA_CONCURRENCY (50)
   */
  concurrency?: number;
  /**
   * Invocations in flight at once over all functions (Lambda's concurrency quota, per account and
   * Region: 1,000 by default, and lower in a new account). One beyond it is throttled with
   * `Lambda.TooManyRequestsException`, whichever function it is for.
   * @default DEFAULT_ACCOUNT_CONCURRENCY (1,000)
   */
  accountConcurrency?: number;
  /**
   * Idle environments kept per function for warm starts; an environment that becomes idle beyond
   * this many is terminated (Lambda reclaims idle environments too; each one here is a worker
   * thread with its own copy of the bundle and the AWS SDK, tens of MB).
   * @default 4
   */
  maxIdle?: number;
  /** Hears of every accepted invocation once it settled (for measuring; metering.ts). */
  onInvocation?: (record: InvocationRecord) => void;
}

export const DEFAULT_LAMBDA_CONCURRENCY = 50;
/** Lambda's default concurrency quota for an account in one Region. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1_000;
/** Idle environments kept per function unless told otherwise (the runtime's `lambdaMaxIdle` option). */
const DEFAULT_MAX_IDLE = 4;
/** Per function: environments started (cold starts), invocations accepted, throttled, busy and idle now. */
export interface FunctionStats {
  logicalId: string;
  coldStarts: number;
  invocations: number;
  throttles: number;
  busy: number;
  idle: number;
}

export class LambdaHost {
  private readonly pools = new Map<string, FunctionPool>();
  /** Settles with each accepted invocation (never rejects): what drain() waits for. */
  private readonly running = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly accountConcurrency: number;
  private readonly maxIdle: number;
  private nextId = 1;
  private closed = false;
  private draining = false;

  constructor(
    functions: HostedFunction[],
    private readonly options: LambdaHostOptions = {},
  ) {
    this.concurrency = options.concurrency ?? DEFAULT_LAMBDA_CONCURRENCY;
    this.accountConcurrency = options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
    this.maxIdle = options.maxIdle ?? DEFAULT_MAX_IDLE;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new Error(`Lambda concurrency must be a positive integer, got ${this.concurrency}`);
    if (!Number.isInteger(this.accountConcurrency) || this.accountConcurrency < 1) {
      throw new Error(`Lambda account concurrency must be a positive integer, got ${this.accountConcurrency}`);
    }
    if (!Number.isInteger(this.maxIdle) || this.maxIdle < 0) throw new Error(`maxIdle must be a non-negative integer, got ${this.maxIdle}`);
    const poolOptions = { log: (line: string) => this.options.log?.(line), maxIdle: this.maxIdle, isClosed: () => this.closed };
    for (const fn of functions) this.pools.set(fn.spec.logicalId, new FunctionPool(fn, poolOptions));
  }

  has(logicalId: string): boolean {
    return this.pools.has(logicalId);
  }

  /** The environment a function's handler sees. */
  envOf(logicalId: string): Record<string, string> {
    return { ...this.require(logicalId).fn.env };
  }

  stats(): FunctionStats[] {
    return [...this.pools].map(([logicalId, p]) => ({
      logicalId,
      coldStarts: p.coldStarts,
      invocations: p.invocations,
      throttles: p.throttles,
      busy: p.live.size - p.idle.length,
      idle: p.idle.length,
    }));
  }

  /** Invocations accepted and not yet settled, over all functions. */
  inflight(): number {
    return this.running.size;
  }

  /**
   * Synchronous (RequestResponse) invocation: the handler's JSON result, or a rejection with
   * {@link LambdaFunctionError} carrying Lambda's errorType / errorMessage / trace.
   */
  invoke(logicalId: string, event: unknown, options: { requestId?: string } = {}): Promise<unknown> {
    if (this.closed || this.draining) {
      return Promise.reject(
        new LambdaFunctionError(RUNTIME_CLOSED_ERROR_TYPE, this.closed ? 'the local runtime is closed' : 'the local runtime is shutting down'),
      );
    }
    const pool = this.require(logicalId);
    let eventText: string;
    try {
      eventText = toJsonText(event ?? null);
    } catch (err) {
      return Promise.reject(new LambdaFunctionError('InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`));
    }
    if (this.running.size >= this.accountConcurrency) {
      pool.throttles += 1;
      return Promise.reject(
        new LambdaFunctionError(THROTTLED_ERROR_TYPE, `Rate Exceeded. (the account's ${this.accountConcurrency} concurrent executions are in use)`),
      );
    }
    const warm = pool.idle.pop();
    const env = warm ?? (pool.live.size < this.concurrency ? pool.startEnvironment() : undefined);
    if (!env) {
      pool.throttles += 1;
      return Promise.reject(
        new LambdaFunctionError(THROTTLED_ERROR_TYPE, `Rate Exceeded. (${pool.fn.spec.name}: all ${this.concurrency} execution environments are busy)`),
      );
    }
    pool.invocations += 1;
    const acceptedAt = performance.now();
    const { result, invocation } = pool.run(env, this.nextId++, options.requestId ?? randomUUID(), eventText);
    // Out of `running` the moment it settles, before its caller resumes: the account quota's count.
    const metered = (ok: boolean): void => {
      this.running.delete(settled);
      this.meter(pool, { cold: warm === undefined, acceptedAt, invocation: invocation() }, ok);
    };
    const settled = result.then(
      () => metered(true),
      () => metered(false),
    );
    this.running.add(settled);
    return result;
  }

  /**
   * Graceful stop, first half: from now on every invocation is refused (`Local.RuntimeClosed`,
   * as after close()); resolves once the invocations already running have settled, or after
   * `timeoutMs` with some still running (close() then cuts them off).
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, timeoutMs))));
    try {
      await Promise.race([Promise.all([...this.running]), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const environments: Environment[] = [...this.pools.values()].flatMap((p) => p.takeAll());
    for (const env of environments) {
      env.retired = true;
      failInvocation(env, RUNTIME_CLOSED_ERROR_TYPE, 'the local runtime is closed');
    }
    await Promise.all(environments.map((env) => env.worker.terminate().catch(() => 0)));
  }

  private require(logicalId: string): FunctionPool {
    const pool = this.pools.get(logicalId);
    if (!pool) throw new Error(`function ${logicalId} is not hosted by the local runtime`);
    return pool;
  }

  /** Tells `onInvocation` (if any) of a settled invocation. */
  private meter(pool: FunctionPool, run: { cold: boolean; acceptedAt: number; invocation: Invocation | undefined }, ok: boolean): void {
    const onInvocation = this.options.onInvocation;
    if (!onInvocation) return;
    const { spec } = pool.fn;
    try {
      onInvocation({
        logicalId: spec.logicalId,
        constructId: spec.constructId,
        memoryMb: spec.memoryMb,
        cold: run.cold,
        acceptedAt: run.acceptedAt,
        startedAt: run.invocation?.startedAt ?? run.acceptedAt,
        endedAt: performance.now(),
        ok,
      });
    } catch {
      // A listener's bug must not break the invocation.
    }
  }
}
