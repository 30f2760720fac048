import type { LambdaSpec } from './lambda-functions';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { BUNDLE_REJECTED } from './bundle-integrity.cjs';
import { LambdaFunctionError } from './lambda-errors';

/** One function as the host runs it: its bundle, checked at each cold start, and its whole environment. */
export interface HostedFunction {
  /** `assetHash`: what the bundle's content must hash to; each cold start checks it before loading (bundle-integrity.cjs). */
  spec: Pick<LambdaSpec, 'logicalId' | 'constructId' | 'name' | 'arn' | 'handler' | 'timeoutSeconds' | 'memoryMb'> & { assetDir: string; assetHash: string };
  /** The complete environment the handler sees (nothing is inherited from this process). */
  env: Record<string, string>;
}

/**
 * One function's execution environments (lambda-host.ts decides when to start, reuse or throttle):
 * each a worker thread running lambda-worker.cjs with the function's own env, handling one
 * invocation at a time under the function timeout, kept idle for warm starts or thrown away after a
 * timeout, an init error or a crash. Apart from the host so that an environment's life (worker,
 * messages, timers) reads on its own.
 */

/** One invocation running in an environment. */
export interface Invocation {
  id: number;
  requestId: string;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
  /** performance.now() when the handler started (the worker's 'started' message). */
  startedAt?: number;
}

/** One execution environment: a worker thread and the invocation it is running, if any. */
export interface Environment {
  worker: Worker;
  current?: Invocation;
  /** Thrown away (timed out, init error, crash, surplus idle, close): takes no invocation again. */
  retired: boolean;
}

type WorkerMessage =
  | { type: 'started'; id: number }
  | { type: 'result'; id: number; ok: true; payload: string }
  | { type: 'result'; id: number; ok: false; init?: boolean; error: { errorType: string; errorMessage: string; trace?: string[] } };

const WORKER_FILE = join(__dirname, 'lambda-worker.cjs');

/** Lambda's limit on the init phase; an init beyond it is retried within the invoke's own timeout. */
const INIT_LIMIT_MS = 10_000;

/** What a pool needs from its host. */
interface PoolOptions {
  log?: (line: string) => void;
  /** Idle environments kept for warm starts. */
  maxIdle: number;
  /** Whether the host is closed (an environment that finishes then is terminated, not kept). */
  isClosed: () => boolean;
}

/** The environments of one function, and its counters. */
export class FunctionPool {
  /** Every live environment of the function (busy or idle); its size is the concurrency in use. */
  readonly live = new Set<Environment>();
  /** Idle environments, most recently used last (reused first). */
  readonly idle: Environment[] = [];
  coldStarts = 0;
  invocations = 0;
  throttles = 0;

  constructor(
    readonly fn: HostedFunction,
    private readonly options: PoolOptions,
  ) {}

  /**
   * Runs invocation `id` in `env` (taken from `idle` or just started): resolves with the handler's
   * JSON result. Until the worker reports the handler started, a timer bounds the init phase
   * (loading the code); then the invocation's own timeout replaces it (onMessage).
   */
  run(env: Environment, id: number, requestId: string, eventText: string): { result: Promise<unknown>; invocation: () => Invocation | undefined } {
    const timeoutMs = this.fn.spec.timeoutSeconds * 1000;
    let invocation: Invocation | undefined;
    const result = new Promise<unknown>((resolve, reject) => {
      invocation = { id, requestId, resolve, reject, timer: this.armTimeout(env, id, INIT_LIMIT_MS) };
      env.current = invocation;
      env.worker.postMessage({ type: 'invoke', id, requestId, timeoutMs, event: eventText });
    });
    return { result, invocation: () => invocation };
  }

  /** Every environment, which the pool forgets (the host is closing: it fails and terminates them). */
  takeAll(): Environment[] {
    const environments = [...this.live];
    this.live.clear();
    this.idle.length = 0;
    return environments;
  }

  /** A new execution environment (a cold start: the code loads on its first invocation). */
  startEnvironment(): Environment {
    const { spec } = this.fn;
    this.coldStarts += 1;
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
      env: this.fn.env,
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(spec.memoryMb, 128) },
    });
    const env: Environment = { worker, retired: false };
    this.live.add(env);
    const label = spec.constructId;
    this.pipe(worker.stdout, label);
    this.pipe(worker.stderr, label);
    worker.on('message', (msg: WorkerMessage) => this.onMessage(env, msg));
    worker.on('error', (err) => {
      this.options.log?.(`[${label}] runtime error: ${err.name}: ${err.message}`);
      failInvocation(env, 'Runtime.ExitError', `Runtime exited with error: ${err.name}: ${err.message}`);
      this.retire(env);
    });
    worker.on('exit', (code) => {
      failInvocation(env, 'Runtime.ExitError', `Runtime exited with error: exit status ${code}`);
      env.retired = true;
      this.forget(env);
    });
    return env;
  }

  /**
   * The function timeout of invocation `id`: it fails with Sandbox.Timedout and, as Lambda resets a
   * timed-out environment, the environment is thrown away (the next invocation starts fresh).
   */
  private armTimeout(env: Environment, id: number, extraMs = 0): NodeJS.Timeout {
    const { timeoutSeconds } = this.fn.spec;
    return setTimeout(
      () => {
        const invocation = env.current;
        if (invocation?.id !== id) return;
        env.current = undefined;
        invocation.reject(
          new LambdaFunctionError('Sandbox.Timedout', `RequestId: ${invocation.requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`),
        );
        this.retire(env);
      },
      extraMs + timeoutSeconds * 1000,
    );
  }

  private onMessage(env: Environment, msg: WorkerMessage): void {
    const invocation = env.current;
    if (!invocation || invocation.id !== msg?.id) return; // timed out already
    if (msg.type === 'started') {
      // As on Lambda, the function timeout counts from the handler's start, not the cold start's init.
      clearTimeout(invocation.timer);
      invocation.timer = this.armTimeout(env, msg.id);
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
        this.retire(env);
        return;
      }
    }
    this.release(env);
  }

  /** The environment finished its invocation: idle for the next one, or terminated if enough are idle. */
  private release(env: Environment): void {
    if (env.retired) return;
    if (this.options.isClosed() || this.idle.length >= this.options.maxIdle) {
      this.retire(env);
      return;
    }
    this.idle.push(env);
  }

  /** Throws an environment away: it takes no more invocations and its worker is terminated. */
  private retire(env: Environment): void {
    if (env.retired) return;
    env.retired = true;
    this.forget(env);
    void env.worker.terminate().catch(() => 0);
  }

  private forget(env: Environment): void {
    this.live.delete(env);
    const i = this.idle.indexOf(env);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private pipe(stream: Readable, label: string): void {
    const log = this.options.log;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => log?.(`[${label}] ${line}`));
  }
}

/** Fails the invocation `env` is running, if any, with a Lambda error of `errorType`. */
export function failInvocation(env: Environment, errorType: string, message: string): void {
  const invocation = env.current;
  if (!invocation) return;
  env.current = undefined;
  clearTimeout(invocation.timer);
  invocation.reject(new LambdaFunctionError(errorType, `RequestId: ${invocation.requestId} Error: ${message}`));
}
