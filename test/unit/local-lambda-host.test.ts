import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaFunctionError, LambdaHost } from '../../lib/local/lambda-host';
import { toTaskError } from '../../lib/local/executions';
import { tinyLambdas, type TinyLambdas } from '../support/tiny-lambdas';

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

  it('runs many invocations of one function concurrently', async () => {
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => host.invoke('A0A1B2C3D', { sleepMs: 300 })));
    expect(results).toHaveLength(20);
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('forwards what handlers print to the log, labelled with the construct id', async () => {
    await host.invoke('Chatty0A1B2C3D', {});
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).toContain('[Chatty] hello from the handler');
  });
});
