import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaHost, type LambdaHostOptions } from '../../lib/local/lambda-host';
import { LambdaFunctionError } from '../../lib/local/lambda-errors';
import { toTaskError } from '../../lib/local/execution-tasks';
import { tinyLambdas, type TinyLambdas } from '../support/tiny-lambdas';
import { waitFor } from '../support/wait';

const REPORT = `
let count = 0;
exports.handler = async (event, context) => {
  count += 1;
  if (event.throw) { const e = new Error(event.throw.message); e.name = event.throw.name; throw e; }
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  if (event.undefinedResult) return undefined;
  return {
    who: process.env.WHO, other: process.env.ONLY_IN_A ?? null, host: process.env.HOME ?? null, count,
    fn: context.functionName, arn: context.invokedFunctionArn, requestId: context.awsRequestId,
    remaining: context.getRemainingTimeInMillis(), memory: context.memoryLimitInMB, at: new Date(0),
  };
};`;

describe('LambdaHost', () => {
  let lambdas: TinyLambdas;
  let host: LambdaHost;
  const logs: string[] = [];

  beforeAll(() => {
    lambdas = tinyLambdas({
      A: { code: REPORT, env: { WHO: 'a', ONLY_IN_A: 'yes' }, timeoutSeconds: 3 },
      B: { code: REPORT, env: { WHO: 'b' }, timeoutSeconds: 1 },
      Chatty: { code: `exports.handler = async () => { console.log('hello from the handler'); return 1; };` },
      NoExport: { code: `exports.other = () => 1;` },
      Missing: { code: `module.exports = {};`, handler: 'nothere.handler' },
      ThrowsString: { code: `exports.handler = async () => { throw 'plain string'; };` },
    });
    host = new LambdaHost(lambdas.functions, { log: (l) => logs.push(l) });
  });

  afterAll(async () => {
    await host.close();
    lambdas.remove();
  });

  it('gives each function its own environment and module state, and nothing from the host process', async () => {
    const a1 = (await host.invoke('A0A1B2C3D', {})) as Record<string, unknown>;
    const b1 = (await host.invoke('B0A1B2C3D', {})) as Record<string, unknown>;
    const a2 = (await host.invoke('A0A1B2C3D', {})) as Record<string, unknown>;
    expect(a1).toMatchObject({ who: 'a', other: 'yes', host: null, count: 1 });
    expect(b1).toMatchObject({ who: 'b', other: null, count: 1 });
    expect(a2).toMatchObject({ count: 2 });
  });

  it('passes a Lambda-like context', async () => {
    const r = (await host.invoke('A0A1B2C3D', {}, { requestId: 'req-1' })) as Record<string, unknown>;
    expect(r).toMatchObject({ fn: 'A0A1B2C3D', arn: 'arn:aws:lambda:us-east-1:123456789012:function:A0A1B2C3D', requestId: 'req-1', memory: '256' });
    expect(r.remaining).toBeGreaterThan(2000);
    expect(r.remaining).toBeLessThanOrEqual(3000);
    // JSON semantics of the response payload, as Lambda serializes it.
    expect(r.at).toBe('1970-01-01T00:00:00.000Z');
    expect(await host.invoke('A0A1B2C3D', { undefinedResult: true })).toBeNull();
  });

  it('reports a thrown error with its name as errorType and the stack as trace', async () => {
    const err = await host.invoke('A0A1B2C3D', { throw: { name: 'BudgetExceededError', message: 'cap reached' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LambdaFunctionError);
    const e = err as LambdaFunctionError;
    expect(e.errorType).toBe('BudgetExceededError');
    expect(e.errorMessage).toBe('cap reached');
    expect(e.trace[0]).toBe('BudgetExceededError: cap reached');
    // What Step Functions records: Error = errorType, Cause = the error payload as JSON.
    const task = toTaskError(e);
    expect(task.name).toBe('BudgetExceededError');
    expect(Object.keys(JSON.parse(task.message))).toEqual(['errorType', 'errorMessage', 'trace']);
    expect(JSON.parse(task.message)).toMatchObject({ errorType: 'BudgetExceededError', errorMessage: 'cap reached' });
  });

  it('reports non-Error throws and init failures like the Node.js runtime', async () => {
    await expect(host.invoke('ThrowsString0A1B2C3D', {})).rejects.toMatchObject({ errorType: 'string', errorMessage: 'plain string' });
    await expect(host.invoke('NoExport0A1B2C3D', {})).rejects.toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
    await expect(host.invoke('Missing0A1B2C3D', {})).rejects.toMatchObject({ errorType: 'Runtime.ImportModuleError' });
  });

  it('times out after the function timeout with Sandbox.Timedout, and the next call gets a fresh environment', async () => {
    const before = host.stats().find((s) => s.logicalId === 'B0A1B2C3D')!.coldStarts;
    const err = (await host.invoke('B0A1B2C3D', { sleepMs: 3000 }).catch((e: unknown) => e)) as LambdaFunctionError;
    expect(err.errorType).toBe('Sandbox.Timedout');
    expect(err.errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    const r = (await host.invoke('B0A1B2C3D', {})) as Record<string, unknown>;
    expect(r.count).toBe(1);
    expect(host.stats().find((s) => s.logicalId === 'B0A1B2C3D')!.coldStarts).toBe(before + 1);
  });

  it('forwards what handlers print to the log, labelled with the construct id', async () => {
    await host.invoke('Chatty0A1B2C3D', {});
    // The worker's stdout reaches the host through a pipe, after the invocation's answer.
    await waitFor('the handler output in the log', () => logs.includes('[Chatty] hello from the handler'), 10_000);
    expect(logs).toContain('[Chatty] hello from the handler');
  });
});

/** Module state per execution environment: an id drawn at load time and a counter of invocations. */
const ENVIRONMENT = `
const instance = Math.random().toString(36).slice(2);
let count = 0;
exports.handler = async (event, context) => {
  count += 1;
  const first = context.getRemainingTimeInMillis();
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  if (event.hang) await new Promise(() => {});
  return { instance, count, first, last: context.getRemainingTimeInMillis(), requestId: context.awsRequestId };
};`;

interface Seen {
  instance: string;
  count: number;
  first: number;
  last: number;
  requestId: string;
}

describe('LambdaHost execution environments (one invocation at a time, as on Lambda)', () => {
  let lambdas: TinyLambdas;
  const hosts: LambdaHost[] = [];
  const newHost = (options: LambdaHostOptions = {}): LambdaHost => {
    const h = new LambdaHost(lambdas.functions, options);
    hosts.push(h);
    return h;
  };
  const fn = 'Env0A1B2C3D';
  const invoke = (h: LambdaHost, event: Record<string, unknown> = {}) => h.invoke(fn, event) as Promise<Seen>;
  const statsOf = (h: LambdaHost) => h.stats().find((s) => s.logicalId === fn)!;

  beforeAll(() => {
    lambdas = tinyLambdas({
      Env: { code: ENVIRONMENT, timeoutSeconds: 3 },
      Short: { code: ENVIRONMENT, timeoutSeconds: 1 },
      // Loading this code takes 2.5 s of CPU, longer than the function timeout.
      SlowInit: { code: `{ const end = Date.now() + 2500; while (Date.now() < end); }\n${ENVIRONMENT}`, timeoutSeconds: 2 },
    });
  });

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.close()));
    lambdas.remove();
  });

  it('runs concurrent invocations in separate environments, so module state is never shared between them', async () => {
    const host = newHost();
    const [a, b] = await Promise.all([invoke(host, { sleepMs: 50 }), invoke(host, { sleepMs: 50 })]);
    expect(a!.instance).not.toBe(b!.instance);
    expect([a!.count, b!.count]).toEqual([1, 1]);
    expect(statsOf(host)).toMatchObject({ coldStarts: 2, invocations: 2, throttles: 0, busy: 0, idle: 2 });

    const many = await Promise.all(Array.from({ length: 8 }, () => invoke(host)));
    expect(new Set(many.map((r) => r.instance)).size).toBe(8);
  });

  it('reuses an idle environment for the next invocation (a warm start)', async () => {
    const host = newHost();
    const first = await invoke(host);
    const second = await invoke(host);
    expect(second.instance).toBe(first.instance);
    expect(second.count).toBe(2);
    expect(statsOf(host)).toMatchObject({ coldStarts: 1, invocations: 2 });
  });

  it('gives each invocation its own deadline: getRemainingTimeInMillis counts down from the function timeout every time', async () => {
    const host = newHost();
    const slow = await invoke(host, { sleepMs: 1500 });
    expect(slow.first - slow.last).toBeGreaterThanOrEqual(1400);
    const warm = await invoke(host);
    expect(warm.instance).toBe(slow.instance);
    // Had the warm invocation inherited the first one's deadline, less than 1.5 s would be left.
    expect(warm.first).toBeGreaterThan(2000);
    expect(warm.first).toBeLessThanOrEqual(3000);
    expect(warm.requestId).not.toBe(slow.requestId);
  });

  it("does not count a cold start's init against the function timeout, as on Lambda", async () => {
    const host = newHost();
    const r = (await host.invoke('SlowInit0A1B2C3D', {})) as Seen;
    expect(r.count).toBe(1);
    expect(r.first).toBeGreaterThan(1500);
  });

  it('throttles an invocation beyond the concurrency limit with Lambda.TooManyRequestsException, which Step Functions sees under that name', async () => {
    const host = newHost({ concurrency: 2 });
    const results = await Promise.allSettled([invoke(host, { sleepMs: 50 }), invoke(host, { sleepMs: 50 }), invoke(host, { sleepMs: 50 })]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const err = (results[2] as PromiseRejectedResult).reason as LambdaFunctionError;
    expect(err).toBeInstanceOf(LambdaFunctionError);
    expect(err.errorType).toBe('Lambda.TooManyRequestsException');
    expect(err.errorMessage).toMatch(/^Rate Exceeded\./);
    expect(toTaskError(err).name).toBe('Lambda.TooManyRequestsException');
    expect(statsOf(host)).toMatchObject({ coldStarts: 2, invocations: 2, throttles: 1 });
    // Once they are idle again, the next invocation runs (warm).
    await expect(invoke(host)).resolves.toMatchObject({ count: 2 });
    expect(statsOf(host).coldStarts).toBe(2);
  });

  it("throttles an invocation beyond the account's concurrency quota, whichever function it is for, and runs it once the quota has room", async () => {
    const host = newHost({ accountConcurrency: 1 });
    const busy = invoke(host, { sleepMs: 300 });
    const other = host.invoke('Short0A1B2C3D', {});
    await expect(other).rejects.toMatchObject({ errorType: 'Lambda.TooManyRequestsException', errorMessage: expect.stringMatching(/account's 1 concurrent/) });
    await busy;
    await expect(host.invoke('Short0A1B2C3D', {})).resolves.toMatchObject({ count: 1 });
    expect(host.stats().find((s) => s.logicalId === 'Short0A1B2C3D')).toMatchObject({ invocations: 1, throttles: 1 });
    expect(() => new LambdaHost(lambdas.functions, { accountConcurrency: 0 })).toThrow(/account concurrency must be a positive integer/);
  });

  it('keeps at most maxIdle environments when a burst is over', async () => {
    const host = newHost({ maxIdle: 1 });
    await Promise.all([invoke(host), invoke(host), invoke(host)]);
    expect(statsOf(host)).toMatchObject({ coldStarts: 3, idle: 1, busy: 0 });
    await Promise.all([invoke(host), invoke(host)]);
    expect(statsOf(host).coldStarts).toBe(4);
  });

  it('a timed-out invocation frees its slot: its environment is thrown away and the next one starts fresh', async () => {
    const host = newHost({ concurrency: 1 });
    const short = 'Short0A1B2C3D';
    const err = (await host.invoke(short, { hang: true }).catch((e: unknown) => e)) as LambdaFunctionError;
    expect(err.errorType).toBe('Sandbox.Timedout');
    await expect(host.invoke(short, {})).resolves.toMatchObject({ count: 1 });
    expect(host.stats().find((s) => s.logicalId === short)).toMatchObject({ coldStarts: 2, throttles: 0, busy: 0 });
  });

  it('drain refuses new invocations at once and resolves when the one in flight has finished', async () => {
    const host = newHost();
    let finished = false;
    const inflight = invoke(host, { sleepMs: 300 }).then((r) => {
      finished = true;
      return r;
    });
    const drained = host.drain(30_000);
    await expect(invoke(host)).rejects.toMatchObject({ errorType: 'Local.RuntimeClosed' });
    await drained;
    expect(finished).toBe(true);
    await expect(inflight).resolves.toMatchObject({ count: 1 });
    expect(host.inflight()).toBe(0);
    await expect(invoke(host)).rejects.toMatchObject({ errorType: 'Local.RuntimeClosed' });
  });

  it('drain gives up after its timeout, and close() then cuts the invocation off', async () => {
    const host = newHost();
    let settled = false;
    const inflight = invoke(host, { hang: true }).finally(() => (settled = true));
    inflight.catch(() => {});
    await host.drain(100);
    expect(settled).toBe(false);
    expect(host.inflight()).toBe(1);
    await host.close();
    await expect(inflight).rejects.toMatchObject({ errorType: 'Local.RuntimeClosed' });
  });
});
