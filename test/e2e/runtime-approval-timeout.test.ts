import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local';
import { startFixtureRuntime, waitForMails } from '../support/fixture-runtime';

describe('shortening the approval timeout for tests', () => {
  let rt: LocalRuntime;

  beforeAll(async () => {
    rt = await startFixtureRuntime({ stateMachineOverrides: { callbackTimeoutSeconds: 2 } });
  });

  afterAll(async () => {
    await rt?.close();
  });

  it('patches the waitForTaskToken state and the matching env; an unanswered approval times out with States.Timeout', async () => {
    expect(rt.envOf('RequestApproval').APPROVAL_TIMEOUT_SECONDS).toBe('2');
    expect(rt.envOf('EchoB').APPROVAL_TIMEOUT_SECONDS).toBe('2');
    expect(rt.envOf('EchoA').APPROVAL_TIMEOUT_SECONDS).toBeUndefined();
    const t0 = Date.now();
    rt.executions.start({ purchaseId: 'pur-late', throwAt: null }, 'pur-late');
    const r = await rt.executions.wait('pur-late', { timeoutMs: 10_000 });
    // RequestApproval's Catch (States.ALL) sends it to the Fail state with the caught error.
    expect(r).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(Date.now() - t0).toBeLessThan(6000);
    await waitForMails(rt, 1);
    expect(rt.mails[0]!.text).toContain('Timeout: 2s');
    const late = await request(rt.mails[0]!.links[0]!, { method: 'POST', body: 'decision=approve' });
    expect(late.statusCode).toBe(409);
    expect(await late.body.text()).toBe('already decided (TaskTimedOut)');
  });
});
