import { ALL_STATE_NAMES } from '../support/state-names';
import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { INTERSERVER_STATES } from '../../lambdas/vendors/interserver/core/states';
import validateAsl from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROCURE_CONFIG } from '../../lib/config-defaults';
import type { AslDefinition } from '../../lib/local/asl-from-template';
import { BUY_RECHECK_HOLD_MS } from '../../lambdas/vendors/interserver/core/license-lock';
import { STATE, type FunctionId } from '../../lambdas/core/workflow';
import { referencedIds, synthProcure, TEST_ENV, type Synthesized } from './synth';

/** The purchase workflow as synthesized: its shape, retries, catches, timeouts and logging. */

let s: Synthesized;
let asl: AslDefinition;
let raw: Record<string, unknown>;
beforeAll(() => {
  s = synthProcure();
  asl = s.asl();
  raw = s.template.findResources('AWS::StepFunctions::StateMachine');
});
afterAll(() => s.dispose());

type Retrier = { ErrorEquals: string[]; MaxAttempts?: number; IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number };
type Catcher = { ErrorEquals: string[]; ResultPath?: string; Next: string };
const state = (name: string): Record<string, unknown> => {
  const st = asl.States[name];
  if (!st) throw new Error(`no state ${name}`);
  return st;
};
const retried = (name: string): string[] => ((state(name).Retry ?? []) as Retrier[]).flatMap((r) => r.ErrorEquals);
const catches = (name: string): Catcher[] => (state(name).Catch ?? []) as Catcher[];
const fnArn = (id: FunctionId): string => `arn:${TEST_ENV.partition}:lambda:${TEST_ENV.region}:${TEST_ENV.accountId}:function:${s.fnId(id)}`;
const machineProps = (): Record<string, unknown> => (Object.values(raw)[0] as { Properties: Record<string, unknown> }).Properties;

const LAMBDA_SERVICE = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException'];
/** A throttled Invoke: refused before any code ran, retried first by every Lambda task. */
const THROTTLE = 'Lambda.TooManyRequestsException';
const VENDOR_SAFE = [THROTTLE, 'VendorTransientError', 'VendorRateLimitedError', ...LAMBDA_SERVICE];
/** A function timeout: retried only by the steps whose writes are idempotent and that call no vendor that charges. */
const TIMED_OUT = ['Sandbox.Timedout', 'Lambda.Unknown'];

describe('shape', () => {
  it("has exactly procure's states (lambdas/core/workflow.ts) and each vendor's own (its core/states.ts)", () => {
    expect(Object.keys(asl.States).sort()).toEqual([...ALL_STATE_NAMES].sort());
    expect(asl.StartAt).toBe(STATE.PreparePurchase);
  });

  it('is JSONPath only: no QueryLanguage, JSONata, Arguments, Output or Assign anywhere', () => {
    const text = JSON.stringify(asl);
    expect(text).not.toMatch(/QueryLanguage|JSONata|\{%/);
    for (const st of Object.values(asl.States)) {
      expect(st).not.toHaveProperty('Arguments');
      expect(st).not.toHaveProperty('Output');
      expect(st).not.toHaveProperty('Assign');
    }
    expect(machineProps()).not.toHaveProperty('QueryLanguage');
  });

  it('passes asl-validator (paths and ARNs checked)', () => {
    // The validator annotates its input; give it a copy.
    const result = validateAsl(structuredClone(asl), { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('invokes each task function by ARN (payloadResponseOnly), and RequestApproval through waitForTaskToken', () => {
    const tasks = Object.entries(asl.States).filter(([, st]) => st.Type === 'Task');
    const resources = Object.fromEntries(tasks.map(([name, st]) => [name, st.Resource]));
    expect(resources).toEqual({
      [STATE.PreparePurchase]: fnArn('PreparePurchase'),
      [COCALC_STATES.AddToCart]: fnArn('CocalcAddToCart'),
      [STATE.RequestApproval]: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      [COCALC_STATES.Checkout]: fnArn('CocalcCheckout'),
      [INTERSERVER_STATES.BuyLicense]: fnArn('InterserverBuy'),
      [STATE.VerifyLicense]: fnArn('VerifyLicense'),
      [STATE.RecordCompleted]: fnArn('RecordOutcome'),
      [STATE.RecordNotCompleted]: fnArn('RecordOutcome'),
    });
    expect(state(STATE.RequestApproval).Parameters).toEqual({
      FunctionName: fnArn('RequestApproval'),
      Payload: { 'taskToken.$': '$$.Task.Token', 'state.$': '$' },
    });
  });

  it('puts each task result at its documented ResultPath', () => {
    const paths = Object.fromEntries(
      Object.entries(asl.States)
        .filter(([, st]) => st.Type === 'Task')
        .map(([n, st]) => [n, st.ResultPath]),
    );
    expect(paths).toEqual({
      // None (the default "$"): its result is the whole new state, with $.quote, $.reservation and (CoCalc) $.cart.
      [STATE.PreparePurchase]: undefined,
      [COCALC_STATES.AddToCart]: '$.cart',
      [STATE.RequestApproval]: '$.approval',
      [COCALC_STATES.Checkout]: '$.purchase',
      [INTERSERVER_STATES.BuyLicense]: '$.purchase',
      [STATE.VerifyLicense]: '$.license',
      [STATE.RecordCompleted]: null,
      [STATE.RecordNotCompleted]: null,
    });
  });

  it('sends RecordOutcome its outcome and the whole state', () => {
    expect(state(STATE.RecordCompleted).Parameters).toEqual({ outcome: 'COMPLETED', 'state.$': '$' });
    expect(state(STATE.RecordNotCompleted).Parameters).toEqual({ outcome: 'NOT_COMPLETED', 'state.$': '$' });
    // RecordCompleted ends the execution (SUCCEEDED) itself: no Succeed state after it.
    expect(state(STATE.RecordCompleted)).toMatchObject({ End: true });
    expect(state(STATE.RecordCompleted).Next).toBeUndefined();
    expect(state(STATE.RecordNotCompleted).Next).toBe(STATE.PurchaseNotCompleted);
    expect(Object.values(asl.States).filter((st) => st.Type === 'Succeed')).toEqual([]);
    expect(state(STATE.PurchaseNotCompleted)).toMatchObject({ Type: 'Fail', Error: 'PurchaseNotCompleted' });
  });

  it('follows the documented transitions', () => {
    const next = (n: string): unknown => state(n).Next;
    // PreparePurchase made the first add (CoCalc); every vendor then passes CartSlotReady, which
    // also asks "auto-approve or a person?".
    expect(next(STATE.PreparePurchase)).toBe(STATE.CartSlotReady);
    const toApproval = [{ Variable: '$.quote.autoApprove', BooleanEquals: true, Next: STATE.AutoApprove }];
    // No slot yet: the machine waits until the slot AddToCart returned, then adds again.
    expect(next(COCALC_STATES.AddToCart)).toBe(STATE.CartSlotReady);
    expect(state(STATE.CartSlotReady)).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.cart.waitUntil', IsPresent: true, Next: STATE.WaitForCartSlot }, ...toApproval],
      Default: STATE.RequestApproval,
    });
    expect(state(STATE.WaitForCartSlot)).toMatchObject({ Type: 'Wait', TimestampPath: '$.cart.waitUntil', Next: COCALC_STATES.AddToCart });
    expect(next(STATE.AutoApprove)).toBe(STATE.ApprovalDecision);
    expect(next(STATE.RequestApproval)).toBe(STATE.ApprovalDecision);
    // The decision and the vendor in one Choice; a rejection (or an unknown vendor) buys nothing.
    const approved = { Variable: '$.approval.decision', StringEquals: 'APPROVED' };
    expect(state(STATE.ApprovalDecision)).toEqual({
      Type: 'Choice',
      Choices: [
        { And: [approved, { Variable: '$.quote.vendor', StringEquals: 'cocalc' }], Next: COCALC_STATES.Checkout },
        { And: [approved, { Variable: '$.quote.vendor', StringEquals: 'interserver' }], Next: INTERSERVER_STATES.BuyLicense },
      ],
      Default: STATE.RecordNotCompleted,
    });
    expect(next(COCALC_STATES.Checkout)).toBe(STATE.VerifyLicense);
    expect(next(INTERSERVER_STATES.BuyLicense)).toBe(STATE.VerifyLicense);
    expect(next(STATE.VerifyLicense)).toBe(STATE.RecordCompleted);
  });

  it('auto-approves with a Pass that records the policy as approver at $.approval', () => {
    expect(state(STATE.AutoApprove)).toMatchObject({
      Type: 'Pass',
      ResultPath: '$.approval',
      Parameters: { decision: 'APPROVED', approver: 'auto-approve policy', 'decidedAt.$': '$$.Execution.StartTime' },
    });
  });
});

describe('timeouts', () => {
  it('gives RequestApproval an explicit TimeoutSeconds equal to the configured approval timeout', () => {
    expect(state(STATE.RequestApproval).TimeoutSeconds).toBe(DEFAULT_PROCURE_CONFIG.approvalTimeoutSeconds);
  });

  it('gives every other task an explicit timeout longer than its function’s own', () => {
    for (const [name, st] of Object.entries(asl.States)) {
      if (st.Type !== 'Task' || name === STATE.RequestApproval) continue;
      const fnId = String(st.Resource).split(':').pop()!;
      const fnTimeout = s.json.Resources[fnId]?.Properties?.Timeout as number;
      expect(st.TimeoutSeconds, name).toBeGreaterThan(fnTimeout);
    }
  });

  it('bounds the whole execution above two approval rounds', () => {
    expect(asl.TimeoutSeconds).toBeGreaterThan(2 * DEFAULT_PROCURE_CONFIG.approvalTimeoutSeconds);
  });
});

describe('retries and catches', () => {
  it('retries the idempotent tasks on transient vendor errors and Lambda service errors', () => {
    expect(retried(STATE.PreparePurchase).sort()).toEqual([...VENDOR_SAFE].sort());
    // Its first add turns a busy lock into a short wait (core/prepare-purchase.ts): a retry would quote and reserve again.
    expect(retried(STATE.PreparePurchase)).not.toContain('LockBusyError');
    // AddToCart also waits out a busy account lock (nothing was done), first after a throttle.
    expect(retried(COCALC_STATES.AddToCart).sort()).toEqual(['LockBusyError', 'RateSlotsContendedError', ...VENDOR_SAFE].sort());
    expect((state(COCALC_STATES.AddToCart).Retry as Retrier[])[1]!.ErrorEquals).toEqual(['LockBusyError']);
  });

  it("runs every Lambda task again after a throttled Invoke, first and for minutes: the code never ran, and the quota is the whole account's", () => {
    const tasks = Object.entries(asl.States).filter(([, st]) => st.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(8);
    for (const [name, st] of tasks) {
      const retry = st.Retry as Retrier[];
      // BuyLicense's is shorter: it keeps the IP+type lock for a settling run only so long.
      const longest = name === INTERSERVER_STATES.BuyLicense ? { MaxDelaySeconds: 4, MaxAttempts: 5 } : { MaxDelaySeconds: 30, MaxAttempts: 12 };
      expect(retry[0], name).toMatchObject({ ErrorEquals: [THROTTLE], IntervalSeconds: 1, BackoffRate: 2, ...longest });
      // No other retrier of the task names it (the first match would win anyway).
      expect(
        retry.slice(1).flatMap((r) => r.ErrorEquals),
        name,
      ).not.toContain(THROTTLE);
    }
  });

  it('repeats a step that timed out only where nothing could be bought twice', () => {
    // PreparePurchase buys nothing, but a timeout can leave its cart add in flight (purchase-retries.ts).
    for (const name of [STATE.PreparePurchase, COCALC_STATES.AddToCart, STATE.RequestApproval, COCALC_STATES.Checkout, INTERSERVER_STATES.BuyLicense]) {
      for (const error of TIMED_OUT) expect(retried(name), name).not.toContain(error);
    }
  });

  it('waits out a busy account lock in the machine for minutes, never in a Lambda', () => {
    for (const name of [COCALC_STATES.AddToCart, COCALC_STATES.Checkout, INTERSERVER_STATES.BuyLicense]) {
      const lock = (state(name).Retry as Retrier[]).find((r) => r.ErrorEquals.includes('LockBusyError'));
      expect(lock, name).toBeDefined();
      // The attempts outlast a dead holder's lease (its function timeout plus a margin).
      const fnId = String(state(name).Resource).split(':').pop()!;
      const fnTimeout = s.json.Resources[fnId]?.Properties?.Timeout as number;
      expect(lock!.MaxAttempts! * lock!.MaxDelaySeconds!, name).toBeGreaterThan(2 * fnTimeout);
    }
  });

  it('also retries VerifyLicense on LicenseNotFoundError (listing lag), first', () => {
    expect(retried(STATE.VerifyLicense).sort()).toEqual(['LicenseNotFoundError', ...VENDOR_SAFE, ...TIMED_OUT].sort());
    expect((state(STATE.VerifyLicense).Retry as Retrier[])[1]!.ErrorEquals).toEqual(['LicenseNotFoundError']);
  });

  it('retries Checkout only on a throttle, a busy lock and to settle an unknown outcome, never on VendorTransientError or other Lambda errors', () => {
    expect(state(COCALC_STATES.Checkout).Retry).toEqual([
      expect.objectContaining({ ErrorEquals: [THROTTLE] }),
      expect.objectContaining({ ErrorEquals: ['LockBusyError'] }),
      expect.objectContaining({ ErrorEquals: ['CheckoutOutcomeUnknownError'] }),
    ]);
  });

  it('never retries BuyLicense on a vendor error; only a busy lock, a buy it settles first, or a throttled Invoke (the code never ran)', () => {
    expect(retried(INTERSERVER_STATES.BuyLicense)).toEqual([THROTTLE, 'LockBusyError', 'BuyOutcomeUnknownError']);
    // The settle wait, plus every throttled Invoke of the run that settles, is shorter than the
    // handler keeps the IP+type lock for it.
    const retriers = state(INTERSERVER_STATES.BuyLicense).Retry as Retrier[];
    const waitMs = (r: Retrier, n: number) => Math.min(r.MaxDelaySeconds ?? Infinity, r.IntervalSeconds! * (r.BackoffRate ?? 1) ** (n - 1)) * 1000;
    const settle = retriers.find((r) => r.ErrorEquals.includes('BuyOutcomeUnknownError'))!;
    const throttle = retriers[0]!;
    let throttledMs = 0;
    for (let n = 1; n <= throttle.MaxAttempts!; n++) throttledMs += waitMs(throttle, n);
    expect(waitMs(settle, settle.MaxAttempts!) + throttledMs).toBeLessThan(BUY_RECHECK_HOLD_MS);
    // No jitter: the first wait is never shorter than the 2 s the vendor gets to settle.
    expect(settle).toMatchObject({ IntervalSeconds: 2 });
    expect((settle as Record<string, unknown>).JitterStrategy).toBeUndefined();
    expect(retried(INTERSERVER_STATES.BuyLicense)).not.toContain('VendorTransientError');
    expect(retried(INTERSERVER_STATES.BuyLicense)).not.toContain('States.ALL');
    expect(retried(INTERSERVER_STATES.BuyLicense)).not.toContain('States.TaskFailed');
  });

  it('retries RequestApproval only on a throttled Invoke (no mail, no token yet)', () => {
    expect(retried(STATE.RequestApproval)).toEqual(['Lambda.TooManyRequestsException']);
  });

  it('retries RecordOutcome (idempotent) on any task failure, a few times', () => {
    for (const name of [STATE.RecordCompleted, STATE.RecordNotCompleted]) {
      const retry = state(name).Retry as Retrier[];
      expect(retry).toHaveLength(2);
      expect(retry[1]).toMatchObject({ ErrorEquals: ['States.TaskFailed'] });
      expect(retry[1]!.MaxAttempts).toBeGreaterThanOrEqual(2);
      expect(retry[1]!.MaxAttempts).toBeLessThanOrEqual(6);
    }
  });

  it('has no CDK default retryOnServiceExceptions retrier on any state', () => {
    const cdkDefault = ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];
    for (const [name, st] of Object.entries(asl.States)) {
      for (const r of (st.Retry ?? []) as Retrier[]) expect(r.ErrorEquals, name).not.toEqual(cdkDefault);
    }
  });

  it('sends every failure of every work task to RecordNotCompleted with the error at $.failure', () => {
    for (const name of [STATE.PreparePurchase, COCALC_STATES.AddToCart, STATE.RequestApproval, INTERSERVER_STATES.BuyLicense, STATE.VerifyLicense]) {
      expect(catches(name), name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE.RecordNotCompleted }]);
    }
  });

  it('sends a Checkout QuoteMismatchError back to PreparePurchase first, everything else to RecordNotCompleted', () => {
    expect(catches(COCALC_STATES.Checkout)).toEqual([
      { ErrorEquals: ['QuoteMismatchError'], ResultPath: '$.mismatch', Next: STATE.PreparePurchase },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE.RecordNotCompleted },
    ]);
  });

  it('does not catch on the Record states (no compensation after completion, no loop)', () => {
    expect(catches(STATE.RecordCompleted)).toEqual([]);
    expect(catches(STATE.RecordNotCompleted)).toEqual([]);
  });
});

describe('state machine resource', () => {
  it('has a fixed name derived from the stack name', () => {
    expect(machineProps().StateMachineName).toBe('Procure-Purchase');
  });

  it('logs all event types without execution data (no requests, no task tokens), with X-Ray tracing', () => {
    expect(machineProps()).toMatchObject({
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [expect.anything()] },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('logs to a retained vendedlogs group whose name a redeploy after `cdk destroy` does not reuse', () => {
    const destinations = (machineProps().LoggingConfiguration as { Destinations: Array<{ CloudWatchLogsLogGroup: { LogGroupArn: unknown } }> }).Destinations;
    const [logGroupId] = referencedIds(destinations[0]!.CloudWatchLogsLogGroup.LogGroupArn);
    const logGroup = s.json.Resources[logGroupId!] as { DeletionPolicy?: string; Properties: Record<string, unknown> };
    expect(logGroup.DeletionPolicy).toBe('Retain');
    // The vendedlogs prefix, the machine's name, then the first part of the stack id's UUID (all
    // zeros where the tests pretend the stack is deployed): new for every stack created.
    expect(s.resolve(logGroup.Properties.LogGroupName)).toBe('/aws/vendedlogs/states/Procure-Purchase-00000000');
    expect(JSON.stringify(logGroup.Properties.LogGroupName)).toContain('AWS::StackId');
  });
});

/**
 * The same definition run on the engine the local runtime uses (aws-local-stepfunctions), with
 * stub tasks: the paths behave as the Retry/Catch design says, and every one ends in a clean
 * Succeed or Fail (never a States.Runtime error).
 */
describe('running on the local engine', () => {
  type Handler = (input: Record<string, any>) => Promise<unknown>;
  const fail = (name: string): never => {
    throw Object.assign(new Error(name), { name });
  };
  let calls: string[];
  /** The states the last run entered, in order (each one a billed transition on AWS). */
  let entered: string[];
  const stubs = (request: Record<string, any>, overrides: Record<string, Handler> = {}): Record<string, Handler> => {
    let quotes = 0;
    const log =
      (name: string, fn: (i: Record<string, any>) => unknown): Handler =>
      async (i) => {
        calls.push(name);
        return fn(i);
      };
    return {
      // The whole state back (ResultPath '$'), with its quote, reservation and (CoCalc) cart item.
      [STATE.PreparePurchase]: log('prepare', (i) => ({
        ...i,
        quote: { vendor: request.vendor, amountUsd: 5, summary: 'x', autoApprove: ++quotes === 1 && !!request.auto && !i.mismatch },
        reservation: { vendor: request.vendor, amountUsd: 5, month: '2026-11', day: '2026-11-23' },
        ...(request.vendor === 'cocalc' ? { cart: request.firstCart ?? { itemId: 7 } } : {}),
      })),
      [COCALC_STATES.AddToCart]: log('cart', () => ({ itemId: 7 })),
      // The waitForTaskToken override gets the Parameters: { FunctionName, Payload }.
      [STATE.RequestApproval]: log('ask', (p) => ({
        decision: p.Payload.state.request.reject ? 'REJECTED' : 'APPROVED',
        approver: 'boss@example.com',
        decidedAt: 'now',
      })),
      [COCALC_STATES.Checkout]: log('checkout', () =>
        request.mismatch && quotes === 1 ? fail('QuoteMismatchError') : { vendor: 'cocalc', amountUsd: 5, reconciled: false },
      ),
      [INTERSERVER_STATES.BuyLicense]: log('buy', () => ({ vendor: 'interserver', amountUsd: 5, reconciled: false })),
      [STATE.VerifyLicense]: log('verify', () => ({ id: 'lic-1' })),
      [STATE.RecordCompleted]: log('completed', () => ({})),
      [STATE.RecordNotCompleted]: log('not-completed', (p) => calls.push(`(${p.state.approval?.decision ?? '-'}/${p.state.failure?.Error ?? '-'})`)),
      ...overrides,
    };
  };
  const run = async (request: Record<string, any>, overrides?: Record<string, Handler>): Promise<string> => {
    calls = [];
    const engine = new StateMachine(structuredClone(asl) as never, { validationOptions: { checkArn: false } });
    const execution = engine.run(
      { purchaseId: 'pur-1', request, source: 'api', receivedAt: 'now' },
      {
        overrides: {
          taskResourceLocalHandlers: stubs(request, overrides) as never,
          retryIntervalOverrides: Object.fromEntries(ALL_STATE_NAMES.map((n) => [n, 0])),
        },
        context: { Task: { Token: 'token-1' } } as never,
      },
    );
    entered = [];
    const logged = (async () => {
      for await (const ev of execution.eventLogs as AsyncIterable<{ type: string; state?: { name: string } }>) {
        if (ev.type === 'StateEntered' && ev.state) entered.push(ev.state.name);
      }
    })();
    try {
      await execution.result;
      await logged;
      return 'SUCCEEDED';
    } catch (err) {
      return `FAILED ${(err as { cause?: { name?: string } }).cause?.name}`;
    }
  };

  // #11: Step Functions bills every state entered. An approved purchase of either vendor passes two
  // Choices (PreparePurchase made the CoCalc cart item); no Succeed state follows RecordCompleted.
  /** The states a purchase enters; `approval` is how it is approved. */
  const pathOf = (vendor: 'cocalc' | 'interserver', approval: string): string[] => [
    STATE.PreparePurchase,
    STATE.CartSlotReady,
    approval,
    STATE.ApprovalDecision,
    vendor === 'cocalc' ? COCALC_STATES.Checkout : INTERSERVER_STATES.BuyLicense,
    STATE.VerifyLicense,
    STATE.RecordCompleted,
  ];

  it.each([
    { vendor: 'cocalc', auto: false, states: 7, calls: ['prepare', 'ask', 'checkout', 'verify', 'completed'] },
    { vendor: 'interserver', auto: false, states: 7, calls: ['prepare', 'ask', 'buy', 'verify', 'completed'] },
    { vendor: 'cocalc', auto: true, states: 7, calls: ['prepare', 'checkout', 'verify', 'completed'] },
    { vendor: 'interserver', auto: true, states: 7, calls: ['prepare', 'buy', 'verify', 'completed'] },
  ] as const)('enters $states states for a $vendor purchase (auto-approved: $auto)', async ({ vendor, auto, states, calls: expected }) => {
    expect(await run({ vendor, auto })).toBe('SUCCEEDED');
    expect(calls).toEqual(expected);
    expect(entered).toEqual(pathOf(vendor, auto ? STATE.AutoApprove : STATE.RequestApproval));
    expect(entered).toHaveLength(states);
  });

  it('waits for a cart slot in the machine, adds again (twice here), then asks', async () => {
    let adds = 0;
    const cart: Handler = async () => {
      calls.push('cart');
      return ++adds === 1 ? { waitUntil: new Date(Date.now() + 20).toISOString(), waits: 1 } : { itemId: 7 };
    };
    const firstCart = { waitUntil: new Date(Date.now() + 20).toISOString(), waits: 0 };
    expect(await run({ vendor: 'cocalc', firstCart }, { [COCALC_STATES.AddToCart]: cart })).toBe('SUCCEEDED');
    expect(calls).toEqual(['prepare', 'cart', 'cart', 'ask', 'checkout', 'verify', 'completed']);
    expect(entered.slice(0, 9)).toEqual([
      STATE.PreparePurchase,
      STATE.CartSlotReady,
      STATE.WaitForCartSlot,
      COCALC_STATES.AddToCart,
      STATE.CartSlotReady,
      STATE.WaitForCartSlot,
      COCALC_STATES.AddToCart,
      STATE.CartSlotReady,
      STATE.RequestApproval,
    ]);
  });

  it('records a rejection and ends in PurchaseNotCompleted, not a runtime error', async () => {
    expect(await run({ vendor: 'cocalc', reject: true })).toBe('FAILED PurchaseNotCompleted');
    expect(calls).toEqual(['prepare', 'ask', 'not-completed', '(REJECTED/-)']);
  });

  it('re-quotes and asks again after a QuoteMismatchError at checkout', async () => {
    expect(await run({ vendor: 'cocalc', mismatch: true })).toBe('SUCCEEDED');
    expect(calls).toEqual(['prepare', 'ask', 'checkout', 'prepare', 'ask', 'checkout', 'verify', 'completed']);
  });

  it('does not repeat a buy that failed transiently: it records the failure once', async () => {
    const buy: Handler = async () => {
      calls.push('buy');
      return fail('VendorTransientError');
    };
    expect(await run({ vendor: 'interserver' }, { [INTERSERVER_STATES.BuyLicense]: buy })).toBe('FAILED PurchaseNotCompleted');
    expect(calls).toEqual(['prepare', 'ask', 'buy', 'not-completed', '(APPROVED/VendorTransientError)']);
  });

  it('ends a purchase whose PreparePurchase timed out, without running it again (its cart add may be in flight)', async () => {
    const prepare: Handler = async () => {
      calls.push('prepare');
      return fail('Sandbox.Timedout');
    };
    expect(await run({ vendor: 'cocalc', auto: true }, { [STATE.PreparePurchase]: prepare })).toBe('FAILED PurchaseNotCompleted');
    expect(calls).toEqual(['prepare', 'not-completed', '(-/Sandbox.Timedout)']);
  });

  it.each([
    ['cocalc', COCALC_STATES.Checkout, 'checkout', ['prepare', 'checkout', 'checkout', 'checkout', 'verify', 'completed']],
    ['interserver', INTERSERVER_STATES.BuyLicense, 'buy', ['prepare', 'buy', 'buy', 'buy', 'verify', 'completed']],
  ])('runs a %s money step again after a throttled Invoke (it never ran), and goes on', async (vendor, stateName, name, expected) => {
    let attempts = 0;
    const step: Handler = async () => {
      calls.push(name);
      return ++attempts <= 2 ? fail('Lambda.TooManyRequestsException') : { licenseId: 'lic-1' };
    };
    expect(await run({ vendor, auto: true }, { [stateName]: step })).toBe('SUCCEEDED');
    expect(calls).toEqual(expected);
  });

  it('waits out listing lag in VerifyLicense', async () => {
    let attempts = 0;
    const verify: Handler = async () => {
      calls.push('verify');
      return ++attempts < 3 ? fail('LicenseNotFoundError') : { id: 'lic-1' };
    };
    expect(await run({ vendor: 'interserver', auto: true }, { [STATE.VerifyLicense]: verify })).toBe('SUCCEEDED');
    expect(calls).toEqual(['prepare', 'buy', 'verify', 'verify', 'verify', 'completed']);
  });
});
