import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../lib/local/aws-error';
import { FUNCTION_SESSION_TOKEN } from '../../lib/local/function-env';
import { StopGate } from '../../lib/local/graceful-stop';
import { LambdaFunctionError } from '../../lib/local/lambda-errors';

describe('StopGate (the local runtime graceful stop)', () => {
  it('refuses only new work from outside the functions, and only once stopping', async () => {
    const gate = new StopGate();
    const outside = (service: string, operation: string) => () => gate.admit({ service, operation, sessionToken: undefined });
    expect(outside('sfn', 'StartExecution')).not.toThrow();

    await gate.stop({ router: { stopAccepting: () => {} }, host: { inflight: () => 0, drain: async () => {} }, close: async () => {} });

    for (const [service, operation] of [
      ['sfn', 'StartExecution'],
      ['events', 'PutEvents'],
    ] as const) {
      const err = (() => {
        try {
          outside(service, operation)();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(AwsServiceError);
      expect(err).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503, message: expect.stringMatching(/shutting down/) });
    }
    // A running function's own calls go on (it is the work being finished), and so do reads.
    expect(() => gate.admit({ service: 'sfn', operation: 'StartExecution', sessionToken: FUNCTION_SESSION_TOKEN })).not.toThrow();
    expect(() => gate.admit({ service: 'events', operation: 'PutEvents', sessionToken: FUNCTION_SESSION_TOKEN })).not.toThrow();
    expect(outside('sfn', 'DescribeExecution')).not.toThrow();
    expect(outside('sfn', 'SendTaskSuccess')).not.toThrow();
  });

  it('stops in order: refuses new requests, waits for the invocations in flight (bounded), then closes, once', async () => {
    const gate = new StopGate();
    const calls: string[] = [];
    let inflight = 2;
    const parts = {
      router: { stopAccepting: (m: string) => calls.push(`router refuses: ${m}`) },
      host: {
        inflight: () => inflight,
        drain: async (ms: number) => {
          calls.push(`drain ${ms}`);
          inflight = 1;
        },
      },
      close: async () => {
        calls.push('close');
      },
    };
    const first = gate.stop(parts, { drainMs: 1234, onDrain: (n) => calls.push(`waiting for ${n}`) });
    const again = gate.stop(parts);
    expect(again).toBe(first);
    const result = await first;
    expect(calls).toEqual(['router refuses: the local runtime is shutting down and takes no new work', 'waiting for 2', 'drain 1234', 'close']);
    expect(result).toMatchObject({ inflight: 2, cutOff: 1 });
  });

  it("holds the executions' Task invocations while stopping, and fails them with Local.RuntimeClosed when released", async () => {
    const gate = new StopGate();
    const started: string[] = [];
    const invoke = gate.holdWhileStopping(async (id: string) => {
      started.push(id);
      return id;
    });
    await expect(invoke('before')).resolves.toBe('before');

    await gate.stop({ router: { stopAccepting: () => {} }, host: { inflight: () => 0, drain: async () => {} }, close: async () => {} });
    let settled = false;
    const held = invoke('after').finally(() => (settled = true));
    held.catch(() => {});
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    expect(started).toEqual(['before']);

    await gate.releaseHeld();
    await expect(held).rejects.toBeInstanceOf(LambdaFunctionError);
    await expect(held).rejects.toMatchObject({ errorType: 'Local.RuntimeClosed' });
    expect(started).toEqual(['before']);
  });
});
