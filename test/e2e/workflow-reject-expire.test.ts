import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepEvent } from '../../lib/local';
import { EVENTS } from '../../lambdas/core/workflow';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  approvalMailFor,
  auditTrail,
  budgetCounter,
  cocalcAccountOf,
  dailyCount,
  decide,
  getPurchase,
  inOrder,
  openLink,
  postDecision,
  postPurchase,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  sendRequestEvent,
  stateItem,
  startProcure,
  workflowEvents,
  type E2e,
  type PageResponse,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';

/**
 * Issue #4, the two ways a purchase ends without one: the approver rejects it, or nobody decides
 * before the approval times out. Either way nothing is bought, the CoCalc cart item is taken out
 * again, the budget is given back, and the trail and the emitted event say why.
 */
describe('a rejected purchase', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startProcure();
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('removes the CoCalc cart item, releases the budget, and records who rejected it and why', async () => {
    const account = cocalcAccountOf(e2e);
    const balanceBefore = account.balance;
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'reject-cocalc' }));
    const purchaseId = purchaseIdFor('reject-cocalc');
    const { link } = await approvalMailFor(e2e, purchaseId);

    // While it waits: the item is in the cart, parked unchecked; the budget holds the quote.
    const cartItemId = (await purchaseRecord(e2e, purchaseId))?.cartItemId as number;
    expect(account.cart.find((i) => i.id === cartItemId)).toMatchObject({ checked: false, purchased: null });
    expect((await budgetCounter(e2e, 'cocalc')).holders[purchaseId]).toBe(1800);
    expect(await dailyCount(e2e)).toBe(1);

    const page = await decide(link, 'reject', 'Use the department license instead');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Purchase rejected');
    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('FAILED');

    // Vendor side: the item is gone from the cart, nothing was bought, no money moved.
    expect(account.cart.find((i) => i.id === cartItemId)).toBeUndefined();
    expect(account.licenses).toEqual([]);
    expect(account.balance).toBe(balanceBefore);

    // Budget: the reservation is released and both counters are back where they were.
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    expect(await budgetCounter(e2e, 'cocalc')).toEqual({ reservedCents: 0, holders: {} });
    expect(await dailyCount(e2e)).toBe(0);

    const trail = await auditTrail(e2e, purchaseId);
    const types = trail.map((a) => a.type);
    const expected = [
      'REQUEST_RECEIVED',
      'QUOTED',
      'BUDGET_RESERVED',
      'CART_ITEM_ADDED',
      'APPROVAL_SENT',
      'APPROVAL_DECIDED',
      'COMPENSATED',
      'COMPENSATED',
      'NOT_COMPLETED',
    ];
    expect(inOrder(types, expected)).toEqual(expected);
    expect(types).not.toContain('VENDOR_CALL');
    expect(trail.find((a) => a.type === 'APPROVAL_DECIDED')).toMatchObject({
      status: 'REJECTED',
      actor: 'approver@example.com',
      detail: { decision: 'REJECTED', approver: 'approver@example.com', comment: 'Use the department license instead' },
    });
    expect(trail.filter((a) => a.type === 'COMPENSATED').map((a) => a.detail)).toEqual([
      expect.objectContaining({ step: 'delete-cart-item', outcome: 'deleted', cartItemId }),
      expect.objectContaining({ step: 'release-reservation', outcome: 'released' }),
    ]);
    const closing = trail.at(-1)!;
    expect(closing).toMatchObject({ type: 'NOT_COMPLETED', status: 'REJECTED', detail: { budgetReleased: true } });
    expect(closing.detail?.reason).toBe('rejected by approver@example.com: Use the department license instead');

    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'REJECTED', reason: closing.detail?.reason });
    const events = workflowEvents(e2e.rt, purchaseId);
    expect(events.map((e) => e['detail-type'])).toEqual([EVENTS.rejected]);
    expect(events[0]!.detail).toMatchObject({ purchaseId, status: 'REJECTED', reason: 'rejected by approver@example.com: Use the department license instead' });

    // The link is single-use: opening it again shows the decision and offers no buttons.
    const again = await openLink(link);
    expect(again.status).toBe(409);
    expect(again.text).toContain('This purchase was already decided');
    expect(again.html).not.toContain('<form');
  });

  it('never calls InterServer to buy a rejected license', async () => {
    const ip = '203.0.113.31';
    const submitted = await postPurchase(e2e.rt, interserverRequest({ requestId: 'reject-is', item: { ip, licenseType: 5006 } }));
    expect(submitted.status).toBe(202);
    const purchaseId = purchaseIdFor('reject-is');
    const { link } = await approvalMailFor(e2e, purchaseId);
    await decide(link, 'reject');
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('FAILED');

    const sandbox = e2e.rt.sandboxes.interserver!.state;
    expect(sandbox.requests.filter((r) => r.operation.startsWith('api_buy_license'))).toEqual([]);
    expect(sandbox.licenses.filter((l) => l.license_ip === ip)).toEqual([]);
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    expect((await budgetCounter(e2e, 'interserver')).holders).toEqual({});
    const status = await getPurchase(e2e.rt, purchaseId);
    expect(status.json).toMatchObject({ status: 'REJECTED', reason: 'rejected by approver@example.com' });
    expect(workflowEvents(e2e.rt, purchaseId).map((e) => e['detail-type'])).toEqual([EVENTS.rejected]);
  });
});

describe('a purchase nobody decides in time', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;

  let onStep: ((step: StepEvent) => void) | undefined;

  beforeAll(async () => {
    // 4 s: short, yet long enough for the approval mail to arrive first even on a loaded machine.
    e2e = await startProcure({ stateMachineOverrides: { callbackTimeoutSeconds: 4 }, onStep: (step) => onStep?.(step) });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  // First in this runtime on purpose: RequestApproval's cold start makes the link outlive the task
  // by a few hundred ms (it is signed for the timeout from the Lambda's clock, after the task
  // started), so a decision sent as the task times out can still pass the link's own checks.
  it('does not apply an approval that arrives as the task times out, and still records the purchase as EXPIRED', async () => {
    const purchaseId = purchaseIdFor('expire-race');
    let link: string | undefined;
    let timedOut = false;
    let late: Promise<PageResponse> | undefined;
    const submit = () => {
      if (link && timedOut) late ??= postDecision(link, { sig: new URL(link).searchParams.get('sig')!, decision: 'approve' });
    };
    onStep = (step) => {
      if (step.executionName === purchaseId && step.state === 'RequestApproval' && step.error === 'States.Timeout') {
        timedOut = true;
        submit();
      }
    };
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'expire-race' }));
    const mailed = (await approvalMailFor(e2e, purchaseId)).link;
    await openLink(mailed); // the approver has the page open (and the approvals function is warm)
    link = mailed;
    submit();
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('FAILED');
    onStep = undefined;
    if (!late) throw new Error('the approval task never timed out');
    const answer = await late;
    expect({ status: answer.status, text: answer.text }).toMatchObject({ status: 410, text: expect.stringContaining('This approval link has expired') });

    await new Promise((r) => setTimeout(r, 200));
    const trail = await auditTrail(e2e, purchaseId);
    const closing = trail.find((a) => a.type === 'NOT_COMPLETED');
    expect(closing).toMatchObject({ status: 'EXPIRED', detail: { error: 'States.Timeout', budgetReleased: true } });
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'EXPIRED' });
    // If the click was recorded at all, the trail says it was not applied.
    const types = trail.map((a) => a.type);
    if (types.includes('APPROVAL_DECIDED')) expect(inOrder(types, ['APPROVAL_DECIDED', 'APPROVAL_NOT_DELIVERED'])).toHaveLength(2);
    expect(types).not.toContain('VENDOR_CALL');
    expect(cocalcAccountOf(e2e).licenses).toEqual([]);
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    expect(workflowEvents(e2e.rt, purchaseId).map((e) => [e['detail-type'], (e.detail as { status: string }).status])).toEqual([[EVENTS.failed, 'EXPIRED']]);
  });

  it('expires: compensated, budget released, recorded and announced; the old link then changes nothing', async () => {
    const account = cocalcAccountOf(e2e);
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'expire-cocalc' }));
    const purchaseId = purchaseIdFor('expire-cocalc');
    const { link, approvalId } = await approvalMailFor(e2e, purchaseId);
    const cartItemId = (await purchaseRecord(e2e, purchaseId))?.cartItemId as number;
    expect(account.cart.some((i) => i.id === cartItemId)).toBe(true);

    const execution = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 });
    expect(execution.status).toBe('FAILED');
    expect(e2e.rt.executions.history(purchaseId)).toContainEqual(expect.objectContaining({ state: 'RequestApproval', error: 'States.Timeout' }));

    expect(account.cart.find((i) => i.id === cartItemId)).toBeUndefined();
    expect(account.licenses).toEqual([]);
    expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'RELEASED' });
    expect(await budgetCounter(e2e, 'cocalc')).toEqual({ reservedCents: 0, holders: {} });
    expect(await dailyCount(e2e)).toBe(0);

    const trail = await auditTrail(e2e, purchaseId);
    const closing = trail.at(-1)!;
    expect(closing).toMatchObject({ type: 'NOT_COMPLETED', status: 'EXPIRED', detail: { error: 'States.Timeout', budgetReleased: true } });
    expect(closing.detail?.reason).toMatch(/^nobody decided on the approval in time/);
    expect(trail.filter((a) => a.type === 'COMPENSATED').map((a) => a.detail?.step)).toEqual(['delete-cart-item', 'release-reservation']);
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'EXPIRED' });
    const events = workflowEvents(e2e.rt, purchaseId);
    expect(events.map((e) => e['detail-type'])).toEqual([EVENTS.failed]);
    expect(events[0]!.detail).toMatchObject({ purchaseId, status: 'EXPIRED', reason: closing.detail?.reason });

    // The approver clicks the old link: a clear page, no buttons.
    const page = await openLink(link);
    expect([409, 410]).toContain(page.status);
    expect(page.text).toMatch(/expired/i);
    expect(page.html).not.toContain('<form');
    // A submit of the old form (replayed, or from a page opened before the expiry) changes nothing either.
    const sig = new URL(link).searchParams.get('sig')!;
    const late = await postDecision(link, { sig, decision: 'approve' });
    expect([409, 410]).toContain(late.status);
    expect(late.text).toMatch(/expired|already/i);

    await new Promise((r) => setTimeout(r, 200));
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'EXPIRED' });
    const after = await auditTrail(e2e, purchaseId);
    expect(after.map((a) => a.type)).toEqual(trail.map((a) => a.type));
    expect(await stateItem(e2e, `APPROVAL#${approvalId}`, 'APPROVAL')).not.toMatchObject({ status: 'APPROVED' });
    expect(workflowEvents(e2e.rt, purchaseId)).toHaveLength(1);
    expect(account.licenses).toEqual([]);
  });
});
