import { approvalPolicyEnv } from '../../lib/approval-policy-config';
import { resolveProcureConfig } from '../../lib/resolve-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/shared/env-names';
import { STATE } from '../../lambdas/core/workflow';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  auditTrail,
  cocalcAccountOf,
  purchaseIdFor,
  purchaseRecord,
  sendRequestEvent,
  startProcure,
  stateItem,
  waitFor,
  type E2e,
  E2E_TEST_TIMEOUT_MS,
} from '../support/e2e-runtime';
import { COCALC_ENV } from '../../lambdas/vendors/cocalc/shared/env-names';
import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { INTERSERVER_STATES } from '../../lambdas/vendors/interserver/core/states';

/**
 * Issue #8 end to end: a CoCalc account is one shared, rate-limited cart. Bursts queue behind the
 * vendor's add limit (slots in DynamoDB, waits in the state machine) instead of failing; a stale
 * checkout that the vendor applies after procure gave up never buys anyone else's item. The
 * vendor's own records (cart, licenses, throttle refusals, balance) are the proof.
 *
 * The sandbox's throttle keeps CoCalc's counts (3 a second, 15 a minute, 200 an hour) over
 * shortened windows, and the workflow is told the same limits, so a burst takes seconds.
 */
const WINDOWS = { second: 250, minute: 1_500, hour: 30_000 };
const LIMITS = [
  { max: 3, windowMs: WINDOWS.second },
  { max: 15, windowMs: WINDOWS.minute },
  { max: 200, windowMs: WINDOWS.hour },
];
const LICENSE_USD = 18;

describe('a shared CoCalc account under bursts and stale checkouts', { timeout: 4 * E2E_TEST_TIMEOUT_MS }, () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startProcure({
      configOverrides: {
        ...approvalPolicyEnv(resolveProcureConfig({ autoApproveMaxUsd: 100 })),
        [ENV.DAILY_PURCHASE_LIMIT]: '1000',
        [ENV.MONTHLY_CAP_COCALC_USD]: '100000',
        [ENV.MONTHLY_CAP_INTERSERVER_USD]: '100000',
        [COCALC_ENV.CART_ADD_LIMITS]: JSON.stringify(LIMITS),
      },
      sandboxes: { cocalc: { throttle: { perSecond: 3, perMinute: 15, perHour: 200, windowsMs: WINDOWS }, balance: 100_000 } },
      // A busy account lock is waited out for real: its retrier (the second, after THROTTLED's)
      // keeps the template's backoff, cap and jitter (-1), as on AWS, so a loaded machine cannot run
      // 40 attempts out in 20 s as a fixed short interval would; so does a throttled Invoke's; the
      // other retries stay fast.
      stateMachineOverrides: {
        retryIntervalOverrides: {
          [COCALC_STATES.AddToCart]: [-1, -1, 200, 50, 50, 50],
          [COCALC_STATES.Checkout]: [-1, -1, 50],
          [INTERSERVER_STATES.BuyLicense]: [-1, -1, 50],
        },
      },
    });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('completes 20 CoCalc purchases submitted at once, each bought once, with no "too many requests" from the vendor', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `burst-20-${i}`);
    const balanceBefore = cocalcAccountOf(e2e).balance;
    await Promise.all(ids.map((requestId) => sendRequestEvent(e2e.rt, cocalcRequest({ requestId }))));
    const purchaseIds = ids.map(purchaseIdFor);
    const results = await Promise.all(purchaseIds.map((p) => e2e.rt.executions.wait(p, { timeoutMs: 3 * E2E_TEST_TIMEOUT_MS })));

    expect(results.map((r) => r.status)).toEqual(purchaseIds.map(() => 'SUCCEEDED'));
    for (const p of purchaseIds) expect((await purchaseRecord(e2e, p))?.status, p).toBe('COMPLETED');
    // The vendor's truth: one license per purchase, every procure item bought, nothing left checked.
    const account = cocalcAccountOf(e2e);
    expect(e2e.rt.sandboxes.cocalc!.rateLimitRejections()).toBe(0);
    const bought = account.cart.filter((i) => i.purchased !== null);
    expect(bought).toHaveLength(20);
    expect(new Set(bought.map((i) => i.purchased?.license_id)).size).toBe(20);
    expect(account.licenses).toHaveLength(20);
    expect(account.cart.filter((i) => i.purchased === null)).toEqual([]);
    expect(Math.round((balanceBefore - account.balance) * 100)).toBe(20 * LICENSE_USD * 100);
    // Each purchase's item carries its tag, and each tag appears once.
    const tags = bought.map((i) =>
      String((i.description as Record<string, unknown>).description)
        .split('\n')
        .at(-1),
    );
    expect(new Set(tags)).toEqual(new Set(purchaseIds.map((p) => `procure purchase ${p}`)));
    // Every wait was for whole seconds, as Step Functions waits (the runtime logs any other).
    const slotWaits = purchaseIds.flatMap((p) => e2e.rt.executions.history(p)).filter((s) => s.type === 'StateEntered' && s.state === STATE.WaitForCartSlot);
    expect(slotWaits.length).toBeGreaterThan(0);
    expect(e2e.logs.filter((l) => l.includes('fraction of a second'))).toEqual([]);
    // The slot ledger stays a fixed, small item.
    const ledger = await stateItem(e2e, 'SLOTS#cocalc-cart-add', 'SLOTS');
    expect(JSON.stringify(ledger ?? {}).length).toBeLessThan(20_000);
  });

  it('completes 20 InterServer purchases submitted at once', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `burst-is-${i}`);
    await Promise.all(
      ids.map((requestId, i) => sendRequestEvent(e2e.rt, interserverRequest({ requestId, item: { ip: `203.0.113.${100 + i}`, licenseType: 5006 } }))),
    );
    const results = await Promise.all(ids.map((r) => e2e.rt.executions.wait(purchaseIdFor(r), { timeoutMs: 2 * E2E_TEST_TIMEOUT_MS })));
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    const licenses = e2e.rt.sandboxes.interserver!.state.licenses.filter((l) => /^203\.0\.113\.1\d\d$/.test(l.license_ip));
    expect(new Set(licenses.map((l) => l.license_ip)).size).toBe(20);
    expect(licenses).toHaveLength(20);
  });

  it("never buys the account owner's item when the vendor applies an abandoned checkout late", async () => {
    const sandbox = e2e.rt.sandboxes.cocalc!;
    const account = cocalcAccountOf(e2e);
    // The account owner's own $27-ish item, checked in the cart (as CoCalc adds it).
    const ownerItem = {
      id: 900_001,
      account_id: account.accountId,
      added: new Date().toISOString(),
      checked: true,
      removed: null,
      purchased: null,
      product: 'site-license',
      description: { type: 'quota', user: 'academic', period: 'monthly', run_limit: 3, ram: 4, cpu: 1, disk: 10, member: true, uptime: 'short', boost: false },
      project_id: null,
    };
    account.cart.push(ownerItem as (typeof account.cart)[number]);
    const licensesBefore = account.licenses.length;
    const balanceBefore = account.balance;
    // Checkout #1 waits longer than the client's 15 s timeout would allow, then buys whatever is checked by then.
    sandbox.faults.set({ delayThenApplyNext: 1, delayThenApplyMs: 20_000, operations: ['purchases/shopping-cart-checkout'] });

    await sendRequestEvent(e2e.rt, cocalcRequest({ requestId: 'stale-checkout' }));
    const purchaseId = purchaseIdFor('stale-checkout');
    const result = await e2e.rt.executions.wait(purchaseId, { timeoutMs: 3 * E2E_TEST_TIMEOUT_MS });
    // Let the abandoned checkout land at the vendor if it has not yet.
    await waitFor('the delayed checkout to start', () => sandbox.faults.current().delayThenApplyNext === 0, 30_000);
    await new Promise((r) => setTimeout(r, 21_000));

    const owner = account.cart.find((i) => i.id === ownerItem.id)!;
    expect(owner.purchased).toBeNull();
    const ours = account.cart.filter((i) => String((i.description as Record<string, unknown>).description ?? '').endsWith(purchaseId));
    expect(ours).toHaveLength(1);
    expect(account.licenses.length - licensesBefore).toBe(ours[0]!.purchased ? 1 : 0);
    expect(Math.round((balanceBefore - account.balance) * 100)).toBe(ours[0]!.purchased ? LICENSE_USD * 100 : 0);
    const trail = (await auditTrail(e2e, purchaseId)).map((e) => e.type);
    if (result.status === 'SUCCEEDED') expect((await purchaseRecord(e2e, purchaseId))?.status).toBe('COMPLETED');
    // The owner's item was unchecked for our checkout and, the outcome having been unknown, left so.
    expect(trail).toContain('CART_ITEMS_LEFT_UNCHECKED');
    expect(owner.checked).toBe(false);
  });
});
