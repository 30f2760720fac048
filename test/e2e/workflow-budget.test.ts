import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS } from '../../lambdas/core/workflow';
import { ENV } from '../../lambdas/shared/env-names';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  approvalMailFor,
  auditTrail,
  budgetCounter,
  cocalcAccountOf,
  dailyCount,
  decide,
  postPurchase,
  purchaseIdFor,
  purchaseRecord,
  reservation,
  sendRequestEvent,
  startProcure,
  workflowEvents,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';

/**
 * Issue #4, the spend guard end to end: a purchase over the monthly cap, or over the requester's
 * own maxCost, stops before any vendor call that could spend; and purchases racing for the same
 * budget never hold more than the cap between them.
 */
describe('the spend guard, end to end', { timeout: E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;
  // CoCalc's default test license costs $18.00: two fit under $50, three do not.
  const COCALC_CAP_USD = 50;

  beforeAll(async () => {
    e2e = await startProcure({
      configOverrides: { [ENV.MONTHLY_CAP_COCALC_USD]: String(COCALC_CAP_USD), [ENV.MONTHLY_CAP_INTERSERVER_USD]: '10' },
    });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  const buyCalls = () => e2e.rt.sandboxes.interserver!.state.requests.filter((r) => r.operation.startsWith('api_buy_license')).length;

  it('stops a CoCalc purchase over the monthly cap before anything goes into the cart', async () => {
    const big = { user: 'business', period: 'monthly', run_limit: 10, ram: 16, cpu: 3, disk: 15, member: true, uptime: 'short' };
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'over-cap-cocalc', item: { description: big } }));
    const purchaseId = purchaseIdFor('over-cap-cocalc');
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('FAILED');

    const account = cocalcAccountOf(e2e);
    expect(account.cart).toEqual([]);
    expect(account.licenses).toEqual([]);
    const trail = await auditTrail(e2e, purchaseId);
    const types = trail.map((a) => a.type);
    expect(types).toEqual(['REQUEST_RECEIVED', 'QUOTED', 'BUDGET_REFUSED', 'COMPENSATED', 'REQUESTER_NOTIFIED', 'NOT_COMPLETED']);
    expect(trail[2]).toMatchObject({ detail: { reason: 'BudgetExceededError', amountUsd: 431.3, vendor: 'cocalc' } });
    expect(trail[2]!.message).toBe(
      'cocalc monthly budget for ' + new Date().toISOString().slice(0, 7) + ' would be exceeded: $431.30 requested, $50.00 of $50.00 left',
    );
    expect(trail.at(-1)).toMatchObject({ status: 'FAILED', detail: { error: 'BudgetExceededError' } });

    const record = await purchaseRecord(e2e, purchaseId);
    expect(record).toMatchObject({ status: 'FAILED' });
    expect(record?.reason).toMatch(/^BudgetExceededError: cocalc monthly budget/);
    // A refused reservation holds nothing: no reservation record, nothing in the counters.
    expect(await reservation(e2e, purchaseId)).toBeUndefined();
    expect(await budgetCounter(e2e, 'cocalc')).toEqual({ reservedCents: 0, holders: {} });
    expect(await dailyCount(e2e)).toBe(0);
    // No approver was asked; only the requester hears, in plain words, why.
    expect(e2e.rt.mails.map((m) => ({ to: m.to, subject: m.subject }))).toEqual([
      { to: ['ada@example.com'], subject: 'Your CoCalc purchase did not go through (over-cap-cocalc)' },
    ]);
    expect(e2e.rt.mails[0]!.text).toContain("it would have gone over this month's CoCalc budget");
    expect(e2e.rt.mails[0]!.text).not.toContain('BudgetExceededError');
    const events = workflowEvents(e2e.rt, purchaseId);
    expect(events.map((e) => e['detail-type'])).toEqual([EVENTS.failed]);
    expect(events[0]!.detail).toMatchObject({ status: 'FAILED', reason: record?.reason, amountUsd: 431.3 });
  });

  it('stops an InterServer purchase over the monthly cap before any buy call', async () => {
    const res = await postPurchase(e2e.rt, interserverRequest({ requestId: 'over-cap-is', item: { ip: '203.0.113.51', licenseType: 5000 } }));
    const purchaseId = res.json.purchaseId as string;
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('FAILED');
    expect(buyCalls()).toBe(0);
    expect(e2e.rt.sandboxes.interserver!.state.licenses).toEqual([]);
    const trail = await auditTrail(e2e, purchaseId);
    expect(trail.find((a) => a.type === 'BUDGET_REFUSED')?.message).toMatch(
      /^interserver monthly budget for \d{4}-\d{2} would be exceeded: \$34\.95 requested, \$10\.00 of \$10\.00 left$/,
    );
    expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'FAILED' });
    expect(workflowEvents(e2e.rt, purchaseId).map((e) => e['detail-type'])).toEqual([EVENTS.failed]);
  });

  it("stops a purchase quoted above the requester's maxCost at the quote: INVALID, nothing reserved, no vendor call", async () => {
    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'over-max-cost', maxCost: 10 }));
    const purchaseId = purchaseIdFor('over-max-cost');
    expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('FAILED');
    const record = await purchaseRecord(e2e, purchaseId);
    expect(record).toMatchObject({ status: 'INVALID', reason: 'MaxCostExceededError: the quote of $18.00 is above the requested maxCost of $10.00' });
    expect(await reservation(e2e, purchaseId)).toBeUndefined();
    expect(cocalcAccountOf(e2e).cart).toEqual([]);
    const types = (await auditTrail(e2e, purchaseId)).map((a) => a.type);
    expect(types).toEqual(['REQUEST_RECEIVED', 'COMPENSATED', 'REQUESTER_NOTIFIED', 'NOT_COMPLETED']);
    expect(workflowEvents(e2e.rt, purchaseId)[0]).toMatchObject({ 'detail-type': EVENTS.failed, detail: { status: 'INVALID', reason: record?.reason } });
  });

  it('lets purchases racing for the same budget hold at most the cap: two of five get through, three are refused', async () => {
    const ids = ['race-1', 'race-2', 'race-3', 'race-4', 'race-5'];
    const purchaseIds = ids.map(purchaseIdFor);
    let maxHeld = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        maxHeld = Math.max(maxHeld, (await budgetCounter(e2e, 'cocalc')).reservedCents);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    await Promise.all(
      ids.map((requestId, i) => (i % 2 ? postPurchase(e2e.rt, cocalcRequest({ requestId })) : sendRequestEvent(e2e.rt, cocalcRequest({ requestId })))),
    );
    // Wait until every purchase either asked for approval or ended.
    const outcome = async (purchaseId: string): Promise<'waiting' | 'refused'> => {
      for (;;) {
        const types = (await auditTrail(e2e, purchaseId)).map((a) => a.type);
        if (types.includes('APPROVAL_SENT')) return 'waiting';
        if (types.includes('NOT_COMPLETED')) return 'refused';
        await new Promise((r) => setTimeout(r, 40));
      }
    };
    const outcomes = await Promise.all(purchaseIds.map(outcome));
    expect(outcomes.filter((o) => o === 'waiting')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(3);

    const admitted = purchaseIds.filter((_, i) => outcomes[i] === 'waiting');
    const refused = purchaseIds.filter((_, i) => outcomes[i] === 'refused');
    for (const purchaseId of refused) {
      expect(await purchaseRecord(e2e, purchaseId)).toMatchObject({ status: 'FAILED' });
      expect((await purchaseRecord(e2e, purchaseId))?.reason).toMatch(/^BudgetExceededError: /);
      expect((await auditTrail(e2e, purchaseId)).map((a) => a.type)).not.toContain('CART_ADD_STARTED');
    }
    expect(Object.keys((await budgetCounter(e2e, 'cocalc')).holders).sort()).toEqual([...admitted].sort());
    expect(cocalcAccountOf(e2e).cart).toHaveLength(2);

    // Both admitted purchases are approved and bought; the budget ends committed at 2 x $18.
    for (const purchaseId of admitted) await decide((await approvalMailFor(e2e, purchaseId)).link, 'approve');
    for (const purchaseId of admitted) expect((await e2e.rt.executions.wait(purchaseId, { timeoutMs: 60_000 })).status).toBe('SUCCEEDED');
    watching = false;
    await watcher;

    expect(maxHeld).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThanOrEqual(COCALC_CAP_USD * 100);
    expect(await budgetCounter(e2e, 'cocalc')).toEqual({ reservedCents: 3600, holders: {} });
    for (const purchaseId of admitted) expect(await reservation(e2e, purchaseId)).toMatchObject({ status: 'COMMITTED' });
    expect(cocalcAccountOf(e2e).licenses).toHaveLength(2);
    expect(await dailyCount(e2e)).toBe(2);
    expect(
      workflowEvents(e2e.rt)
        .filter((e) => purchaseIds.includes((e.detail as { purchaseId: string }).purchaseId))
        .map((e) => e['detail-type'])
        .sort(),
    ).toEqual([EVENTS.completed, EVENTS.completed, EVENTS.failed, EVENTS.failed, EVENTS.failed]);
  });
});
