import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { EventBridgePublisher } from '../../lambdas/adapters/aws/eventbridge-publisher';
import type { CocalcGateway } from '../../lambdas/core/ports';
import type { FailureInfo, Quote, RecordOutcomePayload, WorkflowState } from '../../lambdas/core/workflow';
import { makeHandler as makeAddToCart } from '../../lambdas/handlers/cocalc-add-to-cart';
import { makeHandler as makeCheckout } from '../../lambdas/handlers/cocalc-checkout';
import { makeHandler } from '../../lambdas/handlers/record-outcome';
import { makeHandler as makeReserve } from '../../lambdas/handlers/reserve-budget';
import { makeHandler as makeQuote } from '../../lambdas/handlers/validate-and-quote';
import { startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';
import { cocalcRequest } from '../support/requests';
import { APPROVED, cocalcGatewayFor, newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

/** A caught Lambda error as Step Functions puts it at $.failure. */
function lambdaFailure(name: string, message: string): FailureInfo {
  return { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message, trace: [`${name}: ${message}`] }) };
}

describe('RecordOutcome', () => {
  let h: StepHarness;
  let sandbox: CocalcSandbox;
  let bus: LoopbackAws;

  beforeAll(async () => {
    h = await startStepHarness();
    sandbox = await startCocalcSandbox({ throttle: false });
    bus = await startLoopbackAws(() => ({ body: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] } }));
  });
  afterAll(async () => {
    await bus.close();
    await sandbox.close();
    await h.close();
  });
  beforeEach(() => sandbox.faults.reset());

  /** A fresh vendor account and the steps wired to it (real adapters, sandbox, loopback EventBridge). */
  function world(balance = 1000) {
    const { apiKey } = sandbox.addAccount({ balance });
    const gateway: CocalcGateway = cocalcGatewayFor(sandbox.url, apiKey);
    const base = { audit: h.audit, purchases: h.purchases, cocalc: async () => gateway };
    const events = new EventBridgePublisher(new EventBridgeClient(bus.clientConfig()), 'procure-bus', 'procure.workflow');
    return {
      gateway,
      vendor: () => sandbox.account(apiKey),
      quote: makeQuote({ ...base, interserver: async () => Promise.reject(new Error('not used')), autoApproveMaxUsd: -1 }),
      reserve: makeReserve({ ...base, spendGuard: h.spendGuard }),
      addToCart: makeAddToCart({ ...base, locks: h.locks }),
      checkout: makeCheckout({ ...base, locks: h.locks, settleMs: 0 }),
      record: makeHandler({ ...base, spendGuard: h.spendGuard, events }),
    };
  }
  type World = ReturnType<typeof world>;

  /** Runs the machine's happy path up to the approval: quoted, reserved, in the cart. */
  async function inCart(w: World): Promise<WorkflowState> {
    let state = await newPurchase(h, cocalcRequest());
    state = { ...state, quote: await w.quote(state) };
    state = { ...state, reservation: await w.reserve(state) };
    return { ...state, cart: await w.addToCart(state) };
  }
  const reservedUsd = async () => (await h.spendGuard.remaining('cocalc', new Date())).reservedUsd;
  const eventsFor = (purchaseId: string) =>
    bus.requests
      .flatMap((r) => (r.body.Entries as Array<{ DetailType: string; Detail: string }>) ?? [])
      .map((e) => ({ type: e.DetailType, detail: JSON.parse(e.Detail) as Record<string, unknown> }))
      .filter((e) => e.detail.purchaseId === purchaseId);

  it('commits the reservation, completes the purchase and announces it once, even when run twice', async () => {
    const w = world();
    let state = await inCart(w);
    state = { ...state, approval: { ...APPROVED } };
    state = { ...state, purchase: await w.checkout(state) };
    const before = await reservedUsd();
    const payload: RecordOutcomePayload = { outcome: 'COMPLETED', state };

    expect(await w.record(payload)).toEqual({ status: 'COMPLETED' });
    expect(await w.record(payload)).toEqual({ status: 'COMPLETED' });

    await h.spendGuard.release(state.purchaseId); // a committed reservation is never given back
    expect(await reservedUsd()).toBe(before);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('COMPLETED');
    const events = eventsFor(state.purchaseId);
    expect(events).toEqual([
      {
        type: 'License Purchase Completed',
        detail: {
          purchaseId: state.purchaseId,
          requestId: state.request.requestId,
          vendor: 'cocalc',
          licenseId: state.purchase!.licenseId,
          amountUsd: state.quote!.amountUsd,
          requester: 'ada@example.com',
        },
      },
    ]);
  });

  it('records a rejection: deletes the cart item, releases the budget and announces the rejection', async () => {
    const w = world();
    const state = await inCart(w);
    const before = await reservedUsd();
    const out = await w.record({
      outcome: 'NOT_COMPLETED',
      state: { ...state, approval: { ...APPROVED, decision: 'REJECTED', comment: 'not this term' } },
    });

    expect(out).toEqual({ status: 'REJECTED', reason: 'rejected by boss@example.com: not this term' });
    expect(w.vendor().cart).toHaveLength(0);
    expect(await reservedUsd()).toBeCloseTo(before - state.quote!.amountUsd, 2);
    expect(eventsFor(state.purchaseId).map((e) => e.type)).toEqual(['License Purchase Rejected']);
    const types = (await h.audit.list(state.purchaseId)).map((e) => `${e.type}:${e.detail?.step ?? ''}`);
    expect(types.slice(-3)).toEqual(['COMPENSATED:delete-cart-item', 'COMPENSATED:release-reservation', 'NOT_COMPLETED:']);
  });

  it('calls an approval nobody answered EXPIRED and compensates', async () => {
    const w = world();
    const state = await inCart(w);
    await h.purchases.update(state.purchaseId, { status: 'AWAITING_APPROVAL' }); // as RequestApproval leaves it
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: { Error: 'States.Timeout', Cause: '' } } });
    expect(out.status).toBe('EXPIRED');
    expect(w.vendor().cart).toHaveLength(0);
    expect((await h.purchases.get(state.purchaseId))).toMatchObject({ status: 'EXPIRED' });
  });

  it('calls the approval EXPIRED when a decision reached the record but not the machine before the timeout', async () => {
    const w = world();
    const state = await inCart(w);
    // The approvals API records a decision before it learns that the task already timed out.
    await h.purchases.update(state.purchaseId, { status: 'APPROVED' });
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: { Error: 'States.Timeout', Cause: '' } } });
    expect(out.status).toBe('EXPIRED');
    expect(out.reason).toMatch(/^nobody decided on the approval in time/);
    expect(w.vendor().cart).toHaveLength(0);
  });

  it('calls an unanswered second approval round (after a quote mismatch) EXPIRED, not FAILED', async () => {
    const w = world();
    const state = await inCart(w);
    await h.purchases.update(state.purchaseId, { status: 'AWAITING_APPROVAL' }); // RequestApproval, round 2
    const firstRound = { decision: 'APPROVED' as const, approver: 'alice@example.com', decidedAt: '2030-03-01T10:00:00.000Z' };
    const mismatch = { Error: 'QuoteMismatchError', Cause: 'the vendor total is $19.00, the approved quote $18.00' };
    const out = await w.record({
      outcome: 'NOT_COMPLETED',
      state: { ...state, approval: firstRound, mismatch, failure: { Error: 'States.Timeout', Cause: '' } },
    });
    expect(out.status).toBe('EXPIRED');
    expect(w.vendor().cart).toHaveLength(0);
  });

  it('calls an invalid request INVALID; it never reached a vendor, so there is nothing in the cart', async () => {
    const w = world();
    const state = await newPurchase(h, cocalcRequest());
    const tampered = { ...state, request: { ...state.request, item: { description: { ram: 9000 } } } } as unknown as WorkflowState;
    const failure = await w.quote(tampered).then(
      () => undefined,
      (err: Error) => lambdaFailure(err.name, err.message),
    );
    expect(failure?.Error).toBe('InvalidRequestError');

    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...tampered, failure } });
    expect(out.status).toBe('INVALID');
    expect(out.reason).toMatch(/^InvalidRequestError: invalid purchase request/);
    expect(w.vendor().cart).toHaveLength(0);
    expect(w.vendor().licenses).toHaveLength(0);
  });

  it('keeps the reservation and the cart item when the outcome is unknown, and says so loudly', async () => {
    const w = world();
    const state = await inCart(w);
    const before = await reservedUsd();
    const failure = lambdaFailure('PurchaseOutcomeUnknownError', 'checkout may have bought it');

    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED }, failure } });

    expect(out.status).toBe('NEEDS_ATTENTION');
    expect(await reservedUsd()).toBe(before);
    expect(w.vendor().cart).toHaveLength(1);
    const last = (await h.audit.list(state.purchaseId)).at(-1);
    expect(last).toMatchObject({ type: 'NOT_COMPLETED', status: 'NEEDS_ATTENTION', detail: { budgetReleased: false } });
    expect(last?.message).toMatch(/MONEY MAY HAVE BEEN SPENT.*reservation is KEPT/);
    expect(eventsFor(state.purchaseId)).toMatchObject([{ type: 'License Purchase Failed', detail: { status: 'NEEDS_ATTENTION' } }]);
  });

  it('calls a step\'s own Lambda timeout before the approval FAILED, not EXPIRED', async () => {
    const w = world();
    const state = await inCart(w);
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: { Error: 'States.Timeout', Cause: 'Task timed out' } } });
    expect(out.status).toBe('FAILED');
    expect(w.vendor().cart).toHaveLength(0);
  });

  it('treats a checkout that timed out mid-purchase as NEEDS_ATTENTION, whatever the error says', async () => {
    const w = world();
    const state = await inCart(w);
    await h.purchases.update(state.purchaseId, { status: 'PURCHASING' }); // the Lambda died inside the vendor call
    const out = await w.record({
      outcome: 'NOT_COMPLETED',
      state: { ...state, approval: { ...APPROVED }, failure: { Error: 'States.Timeout', Cause: 'Task timed out' } },
    });
    expect(out.status).toBe('NEEDS_ATTENTION');
    expect(w.vendor().cart).toHaveLength(1);
  });

  it('escalates to NEEDS_ATTENTION when the cart item turns out to be purchased, keeping the budget', async () => {
    const w = world();
    const state = await inCart(w);
    // Someone checked it out behind procure's back.
    await w.gateway.setChecked(true, state.cart!.itemId);
    await w.gateway.checkout();
    const before = await reservedUsd();

    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('VendorRejectedError', 'x') } });
    expect(out.status).toBe('NEEDS_ATTENTION');
    expect(out.reason).toMatch(/found PURCHASED/);
    expect(await reservedUsd()).toBe(before);
  });

  it('audits a failing compensation step and throws, then finishes the job when retried', async () => {
    const w = world();
    const state = await inCart(w);
    const payload: RecordOutcomePayload = { outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('InsufficientCreditError', 'no money') } };
    sandbox.faults.set({ failNext: 1, operations: ['shopping/cart/delete'] });

    await expect(w.record(payload)).rejects.toThrow(/shopping\/cart\/delete/);
    const failed = (await h.audit.list(state.purchaseId)).at(-1);
    expect(failed).toMatchObject({ type: 'COMPENSATION_FAILED', detail: { step: 'delete-cart-item' } });
    expect(w.vendor().cart).toHaveLength(1);
    expect(eventsFor(state.purchaseId)).toHaveLength(0);

    expect(await w.record(payload)).toMatchObject({ status: 'FAILED' });
    expect(w.vendor().cart).toHaveLength(0);
    expect(await w.record(payload)).toMatchObject({ status: 'FAILED' });
    expect(eventsFor(state.purchaseId)).toHaveLength(1);
  });

  it('releases the budget of a purchase that failed before anything reached a cart', async () => {
    const w = world();
    let state = await newPurchase(h, cocalcRequest());
    state = { ...state, quote: await w.quote(state) };
    state = { ...state, reservation: await w.reserve(state) };
    const before = await reservedUsd();
    const out = await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, failure: lambdaFailure('VendorAuthError', 'bad key') } });
    expect(out).toEqual({ status: 'FAILED', reason: 'VendorAuthError: bad key' });
    expect(await reservedUsd()).toBeCloseTo(before - state.quote!.amountUsd, 2);
  });

  it('never puts a quote object or secrets into events', async () => {
    const w = world();
    const state = await inCart(w);
    await w.record({ outcome: 'NOT_COMPLETED', state: { ...state, approval: { ...APPROVED, decision: 'REJECTED' } } });
    const [event] = eventsFor(state.purchaseId);
    expect(Object.keys(event!.detail).sort()).toEqual(['amountUsd', 'purchaseId', 'reason', 'requestId', 'requester', 'status', 'vendor']);
    expect((state.quote as Quote).amountUsd).toBe(event!.detail.amountUsd);
  });
});
