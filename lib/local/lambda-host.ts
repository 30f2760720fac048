import { toJsonText } from './deep-json';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { BUNDLE_REJECTED } from './bundle-integrity.cjs';
import type { LambdaSpec } from './lambda-functions';
import type { InvocationRecord } from './metering';

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
export interface HostedFunction {
  /** `assetHash`: what the bundle's content must hash to; each cold start checks it before loading (bundle-integrity.cjs). */
  spec: Pick<LambdaSpec, 'logicalId' | 'constructId' | 'name' | 'arn' | 'handler' | 'timeoutSeconds' | 'memoryMb'> & { assetDir: string; assetHash: string };
  /** The complete environment the handler sees (nothing is inherited from this process). */
  env: Record<string, string>;
}

/** A function error as Lambda reports it: `{ errorType, errorMessage, trace }`. */
export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    readonly trace: string[] = [],
  ) {
    super(errorMessage);
    this.name = errorType;
  }

  /** The Lambda error payload as JSON text: what Step Functions puts in `Cause`. */
  get causeJson(): string {
    return JSON.stringify({ errorType: this.errorType, errorMessage: this.errorMessage, trace: this.trace });
  }
}

/** What Step Functions reports when Lambda throttles an invocation (the function never ran). */
export const THROTTLED_ERROR_TYPE = 'Lambda.TooManyRequestsException';
/** Invocations refused or cut off because the host is stopping or closed. */
export const RUNTIME_CLOSED_ERROR_TYPE = 'Local.RuntimeClosed';

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
const DEFAULT_MAX_IDLE = 4;
/** Lambda's limit on the init phase; an init beyond it is retried within the invoke's own timeout. */
const INIT_LIMIT_MS = 10_000;

/** Per function: environments started (cold starts), invocations accepted, throttled, busy and idle now. */
export interface FunctionStats {
  logicalId: string;
  coldStarts: number;
  invocations: number;
  throttles: number;
  busy: number;
  idle: number;
}

interface Invocation {
  id: number;
  requestId: string;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
  /** performance.now() when the handler started (the worker's 'started' message). */
  startedAt?: number;
}

/** One execution environment: a worker thread and the invocation it is running, if any. */
interface Environment {
  worker: Worker;
  current?: Invocation;
  /** Thrown away (timed out, init error, crash, surplus idle, close): takes no invocation again. */
  retired: boolean;
}

interface Pool {
  fn: HostedFunction;
  /** Every live environment of the function (busy or idle); its size is the concurrency in use. */
  live: Set<Environment>;
  /** Idle environments, most recently used last (reused first). */
  idle: Environment[];
  coldStarts: number;
  invocations: number;
  throttles: number;
}

type WorkerMessage =
  | { type: 'started'; id: number }
  | { type: 'result'; id: number; ok: true; payload: string }
  | { type: 'result'; id: number; ok: false; init?: boolean; error: { errorType: string; errorMessage: string; trace?: string[] } };

const WORKER_FILE = join(__dirname, 'lambda-worker.cjs');

export class LambdaHost {
  private readonly pools = new Map<string, Pool>();
  /** Settles with each accepted invocation (never rejects): what drain() waits for. */
  private readonly running = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly maxIdle: number;
  private nextId = 1;
  private closed = false;
  private draining = false;

  constructor(
    functions: HostedFunction[],
    private readonly options: LambdaHostOptions = {},
  ) {
    this.concurrency = options.concurrency ?? DEFAULT_LAMBDA_CONCURRENCY;
    this.maxIdle = options.maxIdle ?? DEFAULT_MAX_IDLE;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new Error(`Lambda concurrency must be a positive integer, got ${this.concurrency}`);
    if (!Number.isInteger(this.maxIdle) || this.maxIdle < 0) throw new Error(`maxIdle must be a non-negative integer, got ${this.maxIdle}`);
    for (const fn of functions) {
      this.pools.set(fn.spec.logicalId, { fn, live: new Set(), idle: [], coldStarts: 0, invocations: 0, throttles: 0 });
    }
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
    const warm = pool.idle.pop();
    const env = warm ?? (pool.live.size < this.concurrency ? this.startEnvironment(pool) : undefined);
    if (!env) {
      pool.throttles += 1;
      return Promise.reject(
        new LambdaFunctionError(THROTTLED_ERROR_TYPE, `Rate Exceeded. (${pool.fn.spec.name}: all ${this.concurrency} execution environments are busy)`),
      );
    }
    pool.invocations += 1;
    const id = this.nextId++;
    const requestId = options.requestId ?? randomUUID();
    const timeoutMs = pool.fn.spec.timeoutSeconds * 1000;
    const acceptedAt = performance.now();
    let invocation: Invocation | undefined;
    const result = new Promise<unknown>((resolve, reject) => {
      // Until the worker reports the handler started, this bounds the init phase (loading the code);
      // then the invocation's own timeout replaces it (onMessage).
      invocation = { id, requestId, resolve, reject, timer: this.armTimeout(pool, env, id, INIT_LIMIT_MS) };
      env.current = invocation;
      env.worker.postMessage({ type: 'invoke', id, requestId, timeoutMs, event: eventText });
    });
    const metered = (ok: boolean): void => {
      const onInvocation = this.options.onInvocation;
      if (!onInvocation) return;
      const { spec } = pool.fn;
      try {
        onInvocation({
          logicalId,
          constructId: spec.constructId,
          memoryMb: spec.memoryMb,
          cold: warm === undefined,
          acceptedAt,
          startedAt: invocation?.startedAt ?? acceptedAt,
          endedAt: performance.now(),
          ok,
        });
      } catch {
        // A listener's bug must not break the invocation.
      }
    };
    const settled = result.then(
      () => metered(true),
      () => metered(false),
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
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
    const environments = [...this.pools.values()].flatMap((p) => [...p.live]);
    for (const pool of this.pools.values()) {
      pool.live.clear();
      pool.idle.length = 0;
    }
    for (const env of environments) {
      env.retired = true;
      this.fail(env, RUNTIME_CLOSED_ERROR_TYPE, 'the local runtime is closed');
    }
    await Promise.all(environments.map((env) => env.worker.terminate().catch(() => 0)));
  }

  private require(logicalId: string): Pool {
    const pool = this.pools.get(logicalId);
    if (!pool) throw new Error(`function ${logicalId} is not hosted by the local runtime`);
    return pool;
  }

  /** A new execution environment (a cold start: the code loads on its first invocation). */
  private startEnvironment(pool: Pool): Environment {
    const { spec } = pool.fn;
    pool.coldStarts += 1;
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        assetDir: spec.assetDir,
        assetHash: spec.assetHash,
        constructId: spec.constructId,
        handler: spec.handler,
        functionName: spec.name,
        functionArn: spec.arn,
        memoryMb: spec.memoryMb,
        logGroupName: `/aws/lambda/${spec.name}`,
        instanceId: randomUUID().replace(/-/g, ''),
      },
      env: pool.fn.env,
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(spec.memoryMb, 128) },
    });
    const env: Environment = { worker, retired: false };
    pool.live.add(env);
    const label = spec.constructId;
    this.pipe(worker.stdout, label);
    this.pipe(worker.stderr, label);
    worker.on('message', (msg: WorkerMessage) => this.onMessage(pool, env, msg));
    worker.on('error', (err) => {
      this.options.log?.(`[${label}] runtime error: ${err.name}: ${err.message}`);
      this.fail(env, 'Runtime.ExitError', `Runtime exited with error: ${err.name}: ${err.message}`);
      this.retire(pool, env);
    });
    worker.on('exit', (code) => {
      this.fail(env, 'Runtime.ExitError', `Runtime exited with error: exit status ${code}`);
      env.retired = true;
      this.forget(pool, env);
    });
    return env;
  }

  /**
   * The function timeout of invocation `id`: it fails with Sandbox.Timedout and, as Lambda resets a
   * timed-out environment, the environment is thrown away (the next invocation starts fresh).
   */
  private armTimeout(pool: Pool, env: Environment, id: number, extraMs = 0): NodeJS.Timeout {
    const { timeoutSeconds } = pool.fn.spec;
    return setTimeout(
      () => {
        const invocation = env.current;
        if (invocation?.id !== id) return;
        env.current = undefined;
        invocation.reject(
          new LambdaFunctionError('Sandbox.Timedout', `RequestId: ${invocation.requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`),
        );
        this.retire(pool, env);
      },
      extraMs + timeoutSeconds * 1000,
    );
  }

  private onMessage(pool: Pool, env: Environment, msg: WorkerMessage): void {
    const invocation = env.current;
    if (!invocation || invocation.id !== msg?.id) return; // timed out already
    if (msg.type === 'started') {
      // As on Lambda, the function timeout counts from the handler's start, not the cold start's init.
      clearTimeout(invocation.timer);
      invocation.timer = this.armTimeout(pool, env, msg.id);
      invocation.startedAt = performance.now();
      return;
    }
    if (msg.type !== 'result') return;
    env.current = undefined;
    clearTimeout(invocation.timer);
    if (msg.ok) {
      invocation.resolve(JSON.parse(msg.payload));
    } else {
      invocation.reject(new LambdaFunctionError(msg.error.errorType, msg.error.errorMessage, msg.error.trace ?? []));
      if (msg.error.errorType === BUNDLE_REJECTED) this.options.log?.(`bundles: ${msg.error.errorMessage}`);
      // Lambda retries a failed init in a fresh environment on the next invoke.
      if (msg.init) {
        this.retire(pool, env);
        return;
      }
    }
    this.release(pool, env);
  }

  /** The environment finished its invocation: idle for the next one, or terminated if enough are idle. */
  private release(pool: Pool, env: Environment): void {
    if (env.retired) return;
    if (this.closed || pool.idle.length >= this.maxIdle) {
      this.retire(pool, env);
      return;
    }
    pool.idle.push(env);
  }

  /** Throws an environment away: it takes no more invocations and its worker is terminated. */
  private retire(pool: Pool, env: Environment): void {
    if (env.retired) return;
    env.retired = true;
    this.forget(pool, env);
    void env.worker.terminate().catch(() => 0);
  }

  private forget(pool: Pool, env: Environment): void {
    pool.live.delete(env);
    const i = pool.idle.indexOf(env);
    if (i >= 0) pool.idle.splice(i, 1);
  }

  private fail(env: Environment, errorType: string, message: string): void {
    const invocation = env.current;
    if (!invocation) return;
    env.current = undefined;
    clearTimeout(invocation.timer);
    invocation.reject(new LambdaFunctionError(errorType, `RequestId: ${invocation.requestId} Error: ${message}`));
  }

  private pipe(stream: Readable, label: string): void {
    const log = this.options.log;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => log?.(`[${label}] ${line}`));
  }
}
