import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { LambdaSpec } from './lambda-functions';

/**
 * Runs the bundled handlers unchanged, each function in its own worker thread with its own
 * `process.env` and module state (lambda-worker.cjs), like a Lambda execution environment. One
 * worker per function takes any number of concurrent invocations (async handlers interleave); a
 * worker whose invocation timed out is retired once its other invocations finish, so the next
 * invocation gets a fresh environment, as after a Lambda timeout.
 */
export interface HostedFunction {
  spec: Pick<LambdaSpec, 'logicalId' | 'constructId' | 'name' | 'arn' | 'handler' | 'timeoutSeconds' | 'memoryMb'> & { assetDir: string };
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

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
  requestId: string;
}

interface Instance {
  worker: Worker;
  inflight: Map<number, Pending>;
  /** No new invocations; terminated when the last in-flight one settles. */
  retiring: boolean;
}

type ResultMessage =
  | { type: 'result'; id: number; ok: true; payload: string }
  | { type: 'result'; id: number; ok: false; init?: boolean; error: { errorType: string; errorMessage: string; trace?: string[] } };

export interface LambdaHostOptions {
  /** Receives each line the handlers print, prefixed with the function's construct id. */
  log?: (line: string) => void;
}

const WORKER_FILE = join(__dirname, 'lambda-worker.cjs');

export class LambdaHost {
  private readonly functions = new Map<string, HostedFunction>();
  private readonly active = new Map<string, Instance>();
  private readonly all = new Set<Instance>();
  private readonly counters = new Map<string, { coldStarts: number; invocations: number }>();
  private nextId = 1;
  private closed = false;

  constructor(
    functions: HostedFunction[],
    private readonly options: LambdaHostOptions = {},
  ) {
    for (const f of functions) {
      this.functions.set(f.spec.logicalId, f);
      this.counters.set(f.spec.logicalId, { coldStarts: 0, invocations: 0 });
    }
  }

  has(logicalId: string): boolean {
    return this.functions.has(logicalId);
  }

  /** The environment a function's handler sees. */
  envOf(logicalId: string): Record<string, string> {
    return { ...this.require(logicalId).env };
  }

  stats(): Array<{ logicalId: string; coldStarts: number; invocations: number }> {
    return [...this.counters].map(([logicalId, c]) => ({ logicalId, ...c }));
  }

  /**
   * Synchronous (RequestResponse) invocation: the handler's JSON result, or a rejection with
   * {@link LambdaFunctionError} carrying Lambda's errorType / errorMessage / trace.
   */
  invoke(logicalId: string, event: unknown, options: { requestId?: string } = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new LambdaFunctionError('Local.RuntimeClosed', 'the local runtime is closed'));
    const fn = this.require(logicalId);
    const counters = this.counters.get(logicalId)!;
    counters.invocations += 1;
    const instance = this.instanceFor(fn, counters);
    const id = this.nextId++;
    const requestId = options.requestId ?? randomUUID();
    const timeoutMs = fn.spec.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    let eventText: string;
    try {
      eventText = JSON.stringify(event ?? null);
    } catch (err) {
      return Promise.reject(new LambdaFunctionError('InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!instance.inflight.delete(id)) return;
        reject(new LambdaFunctionError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${fn.spec.timeoutSeconds.toFixed(2)} seconds`));
        this.retire(fn.spec.logicalId, instance);
      }, timeoutMs);
      instance.inflight.set(id, { resolve, reject, timer, requestId });
      instance.worker.postMessage({ type: 'invoke', id, requestId, deadline, event: eventText });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const instances = [...this.all];
    for (const i of instances) this.failAll(i, 'Local.RuntimeClosed', 'the local runtime is closed');
    await Promise.all(instances.map((i) => i.worker.terminate().catch(() => 0)));
    this.all.clear();
    this.active.clear();
  }

  private require(logicalId: string): HostedFunction {
    const fn = this.functions.get(logicalId);
    if (!fn) throw new Error(`function ${logicalId} is not hosted by the local runtime`);
    return fn;
  }

  private instanceFor(fn: HostedFunction, counters: { coldStarts: number }): Instance {
    const current = this.active.get(fn.spec.logicalId);
    if (current && !current.retiring) return current;
    counters.coldStarts += 1;
    const instanceId = randomUUID().replace(/-/g, '');
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        assetDir: fn.spec.assetDir,
        handler: fn.spec.handler,
        functionName: fn.spec.name,
        functionArn: fn.spec.arn,
        memoryMb: fn.spec.memoryMb,
        logGroupName: `/aws/lambda/${fn.spec.name}`,
        instanceId,
      },
      env: fn.env,
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(fn.spec.memoryMb, 128) },
    });
    const instance: Instance = { worker, inflight: new Map(), retiring: false };
    this.active.set(fn.spec.logicalId, instance);
    this.all.add(instance);
    const label = fn.spec.constructId;
    this.pipe(worker.stdout, label);
    this.pipe(worker.stderr, label);
    worker.on('message', (msg: ResultMessage) => this.onResult(fn.spec.logicalId, instance, msg));
    worker.on('error', (err) => {
      this.options.log?.(`[${label}] runtime error: ${err.name}: ${err.message}`);
      this.failAll(instance, 'Runtime.ExitError', `Runtime exited with error: ${err.name}: ${err.message}`);
      this.retire(fn.spec.logicalId, instance);
    });
    worker.on('exit', (code) => {
      this.failAll(instance, 'Runtime.ExitError', `Runtime exited with error: exit status ${code}`);
      this.all.delete(instance);
      if (this.active.get(fn.spec.logicalId) === instance) this.active.delete(fn.spec.logicalId);
    });
    return instance;
  }

  private onResult(logicalId: string, instance: Instance, msg: ResultMessage): void {
    if (msg?.type !== 'result') return;
    const pending = instance.inflight.get(msg.id);
    if (!pending) return; // timed out already
    instance.inflight.delete(msg.id);
    clearTimeout(pending.timer);
    if (msg.ok) {
      pending.resolve(JSON.parse(msg.payload));
    } else {
      pending.reject(new LambdaFunctionError(msg.error.errorType, msg.error.errorMessage, msg.error.trace ?? []));
      if (msg.init) this.retire(logicalId, instance);
    }
    if (instance.retiring && instance.inflight.size === 0) void instance.worker.terminate();
  }

  private retire(logicalId: string, instance: Instance): void {
    instance.retiring = true;
    if (this.active.get(logicalId) === instance) this.active.delete(logicalId);
    if (instance.inflight.size === 0) void instance.worker.terminate();
  }

  private failAll(instance: Instance, errorType: string, message: string): void {
    for (const [id, p] of instance.inflight) {
      clearTimeout(p.timer);
      p.reject(new LambdaFunctionError(errorType, `RequestId: ${p.requestId} Error: ${message}`));
      instance.inflight.delete(id);
    }
  }

  private pipe(stream: Readable, label: string): void {
    const log = this.options.log;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => log?.(`[${label}] ${line}`));
  }
}
