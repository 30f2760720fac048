import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COCALC_SANDBOX_DEFAULTS, startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { LICENSE_TYPES, SANDBOX_DEFAULTS, startInterserverSandbox, type InterserverSandbox } from '../../lib/local/sandboxes/interserver';
import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import { LOCK_RECHECK_WINDOW_MS } from '../../lambdas/vendors/cocalc/core/cart-slot';
import { addToCart, type AddToCartDeps } from '../../lambdas/vendors/cocalc/core/add-to-cart';
import { cocalcPreparation } from '../../lambdas/vendors/cocalc/core/first-add';
import { BudgetExceededError, VendorTransientError } from '../../lambdas/core/errors';
import { COCALC_ACCOUNT_LOCK } from '../../lambdas/vendors/cocalc/core/account-lock';
import { preparePurchase, type PreparePurchaseDeps } from '../../lambdas/core/prepare-purchase';
import { COCALC_CART_ADD_LIMITS, COCALC_CART_ADD_SLOT_KEY } from '../../lambdas/vendors/cocalc/core/add-limits';
import type { WorkflowState } from '../../lambdas/core/workflow';
import { cocalcRequest, interserverRequest } from '../support/requests';
import {
  cocalcGatewayFor,
  cocalcStepDeps,
  interserverGatewayFor,
  newPurchase,
  quotersWith,
  recordQuoteMismatch,
  startStepHarness,
  type StepHarness,
} from '../support/workflow-harness';

/**
 * PreparePurchase (core/prepare-purchase.ts): quote, reservation and the first cart add in one
 * state. Real dynalite and both vendor sandboxes over loopback; the money is counted at the
 * sandboxes (cart items) and in the budget counters.
 */
describe('PreparePurchase', () => {
  /** Slot ledger as loose as the sandbox's throttle (off): no add waits. */
  let h: StepHarness;
  /** The vendor's add limits (3/s, 15/min, 200/h), on a clock the busy-lock test drives. */
  let hs: StepHarness;
  let cocalc: CocalcSandbox;
  let interserver: InterserverSandbox;
  const cart = () => cocalc.account(COCALC_SANDBOX_DEFAULTS.apiKey).cart;
  let cocalcBuilds = 0;

  beforeAll(async () => {
    h = await startStepHarness({ capsUsd: { cocalc: 100, interserver: 50 }, dailyLimit: 100 });
    hs = await startStepHarness(undefined, { cartAddLimits: COCALC_CART_ADD_LIMITS });
    cocalc = await startCocalcSandbox({ throttle: false });
    interserver = await startInterserverSandbox();
  });
  afterAll(async () => {
    await cocalc.close();
    await interserver.close();
    await hs.close();
    await h.close();
  });
  beforeEach(() => {
    cart().length = 0;
    cocalc.faults.reset();
    cocalcBuilds = 0;
  });

  /** The first add's own wiring (as composition/cocalc cart-add.ts), counting gateway builds. */
  const cartDeps = (now: () => number, on: StepHarness): AddToCartDeps => {
    const gateway = cocalcGatewayFor(cocalc.url, COCALC_SANDBOX_DEFAULTS.apiKey);
    return {
      ...cocalcStepDeps(on, gateway),
      cocalc: async () => {
        cocalcBuilds += 1;
        return gateway;
      },
      clock: now,
    };
  };
  const deps = (now: () => number = Date.now, on: StepHarness = h): PreparePurchaseDeps => {
    const journal = { audit: on.audit, purchases: on.purchases, steps: on.steps };
    return {
      quoting: {
        ...journal,
        quoters: quotersWith(async () => interserverGatewayFor(interserver, SANDBOX_DEFAULTS.username, SANDBOX_DEFAULTS.password)),
        policy: autoApprovePolicy(-1, ['boss@example.com']),
      },
      budget: { ...journal, spendGuard: on.spendGuard },
      preparations: { cocalc: cocalcPreparation(cartDeps(now, on)), interserver: null },
    };
  };
  /** What the month's budget counter holds reserved for `vendor` (every test here books into this month). */
  const reservedUsd = async (vendor: 'cocalc' | 'interserver' = 'cocalc', on: StepHarness = h) =>
    (await on.spendGuard.remaining(vendor, new Date())).reservedUsd;
  const types = async (state: WorkflowState) => (await h.audit.list(state.purchaseId)).map((e) => e.type);

  it('quotes, reserves and parks the CoCalc item in the cart, handing on the whole state', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const before = await reservedUsd();
    const out = await preparePurchase(deps(), state);

    expect(out).toMatchObject({ purchaseId: state.purchaseId, request: state.request, source: 'api', receivedAt: state.receivedAt });
    expect(out.quote).toMatchObject({ vendor: 'cocalc', autoApprove: false });
    expect(out.reservation).toMatchObject({ vendor: 'cocalc', amountUsd: out.quote.amountUsd });
    expect(out.cart?.itemId).toBeGreaterThan(0);
    // At the vendor: one item, this purchase's, parked unchecked until approval.
    expect(cart()).toEqual([expect.objectContaining({ id: out.cart?.itemId, checked: false, purchased: null })]);
    expect(await types(state)).toEqual(['QUOTED', 'BUDGET_RESERVED', 'CART_ADD_STARTED', 'CART_ITEM_ADDED']);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('IN_CART');
    expect(await reservedUsd()).toBeCloseTo(before + out.quote.amountUsd, 2);
  });

  it('is safe to run again (a retried state): still one item in the cart and one reservation', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const before = await reservedUsd();
    const first = await preparePurchase(deps(), state);
    const again = await preparePurchase(deps(), state);

    expect(again.cart).toEqual(first.cart);
    expect(cart()).toHaveLength(1);
    expect(await reservedUsd()).toBeCloseTo(before + first.quote.amountUsd, 2);
  });

  it('never touches CoCalc for an InterServer purchase, and hands on no cart', async () => {
    const state = await newPurchase(h, interserverRequest({ item: { ip: '203.0.113.91', licenseType: 5006 } }));
    const out = await preparePurchase(deps(), state);

    expect(out.quote).toMatchObject({ vendor: 'interserver', interserverTypeId: 5006 });
    expect(out.reservation).toMatchObject({ vendor: 'interserver', amountUsd: out.quote.amountUsd });
    expect(out).not.toHaveProperty('cart');
    expect(cocalcBuilds).toBe(0);
    expect(await types(state)).toEqual(['QUOTED', 'BUDGET_RESERVED']);
  });

  it('refuses over budget before anything reaches the cart', async () => {
    const big = cocalcRequest();
    const description = { ...(big.item as { description: object }).description, run_limit: 500, ram: 16, cpu: 3 };
    const state = await newPurchase(h, { ...big, item: { description } });
    const before = await reservedUsd();

    await expect(preparePurchase(deps(), state)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(cocalcBuilds).toBe(0);
    expect(cart()).toHaveLength(0);
    expect(await types(state)).toEqual(['QUOTED', 'BUDGET_REFUSED']);
    expect(await reservedUsd()).toBe(before);
  });

  it('answers a busy account lock at its first add with a wait of about a second, not an error, and AddToCart adds after it', async () => {
    const state = await newPurchase(hs, cocalcRequest());
    const before = await reservedUsd('cocalc', hs);
    // A slot reserved long enough ago that a busy lock gives it back (LockBusyError inside AddToCart).
    let now = Date.now();
    const { at } = await hs.slots.reserve(COCALC_CART_ADD_SLOT_KEY, state.purchaseId, now);
    now = at + LOCK_RECHECK_WINDOW_MS - 50;
    const clock = () => now;

    let out: Awaited<ReturnType<typeof preparePurchase>> | undefined;
    await hs.locks.withLock(COCALC_ACCOUNT_LOCK, 'pur-someone-else', 10 * 60_000, async () => {
      out = await preparePurchase(deps(clock, hs), state);
    });
    // Quoted and reserved; the add waits for the machine's Wait (whole seconds), then AddToCart.
    expect(out?.reservation).toMatchObject({ amountUsd: out?.quote.amountUsd });
    const waitUntil = Date.parse(String(out?.cart?.waitUntil));
    expect(out?.cart).toMatchObject({ waits: 0, waitUntil: expect.stringMatching(/:\d\d\.000Z$/) });
    expect(waitUntil).toBeGreaterThanOrEqual(now + 1_000);
    expect(waitUntil).toBeLessThan(now + 2_000);
    expect(cart()).toHaveLength(0);

    now = waitUntil;
    const ref = await addToCart(cartDeps(clock, hs), out!);
    expect(cart()).toEqual([expect.objectContaining({ id: ref.itemId, checked: false })]);
    expect(await reservedUsd('cocalc', hs)).toBeCloseTo(before + (out?.quote.amountUsd ?? Number.NaN), 2);
  });
  it('passes any other error of the first add on to the machine (its Retry or Catch), quote and reservation kept', async () => {
    const state = await newPurchase(h, cocalcRequest());
    const before = await reservedUsd();
    cocalc.faults.set({ failNext: 1, operations: ['shopping/cart/add'] });

    await expect(preparePurchase(deps(), state)).rejects.toBeInstanceOf(VendorTransientError);
    expect(cart()).toHaveLength(0);
    expect(await types(state)).toEqual(['QUOTED', 'BUDGET_RESERVED', 'CART_ADD_STARTED']);
    // The machine's retry runs it all again: one reservation, one item.
    const out = await preparePurchase(deps(), state);
    expect(cart()).toEqual([expect.objectContaining({ id: out.cart?.itemId, checked: false })]);
    expect(await reservedUsd()).toBeCloseTo(before + out.quote.amountUsd, 2);
  });

  it("refuses a preparation wired under another vendor's name: nothing reaches the cart, and only the vendor's own one adds", async () => {
    const state = await newPurchase(h, cocalcRequest());
    const prepared: string[] = [];
    const miswired = { vendor: 'interserver', prepare: async () => (prepared.push('interserver'), {}) };
    const wrong: PreparePurchaseDeps = { ...deps(), preparations: { cocalc: miswired, interserver: null } as unknown as PreparePurchaseDeps['preparations'] };
    await expect(preparePurchase(wrong, state)).rejects.toThrow('no preparation of cocalc is wired (found interserver)');
    expect(prepared).toEqual([]);
    expect(cart()).toHaveLength(0);
  });

  it("re-quotes at the vendor's total after a checkout mismatch: the reservation adjusted, the same cart item kept, a person asked", async () => {
    const state = await newPurchase(h, cocalcRequest());
    const before = await reservedUsd();
    const first = await preparePurchase(deps(), state);
    const vendorTotalUsd = first.quote.amountUsd + 1.5;
    const mismatch = await recordQuoteMismatch(h, state.purchaseId, vendorTotalUsd, first.quote.amountUsd);

    const again = await preparePurchase(deps(), { ...first, mismatch });
    expect(again.quote).toMatchObject({ amountUsd: vendorTotalUsd, autoApprove: false });
    expect(again.reservation.amountUsd).toBe(vendorTotalUsd);
    expect(again.cart).toEqual(first.cart);
    expect(again.mismatch).toEqual(mismatch);
    expect(cart()).toHaveLength(1);
    expect(await reservedUsd()).toBeCloseTo(before + vendorTotalUsd, 2);
  });
  it("holds the new price when a run again finds its reservation made at an older one (InterServer's catalog moved)", async () => {
    const state = await newPurchase(h, interserverRequest({ item: { ip: '203.0.113.92', licenseType: 5006 } }));
    const before = await reservedUsd('interserver');
    const first = await preparePurchase(deps(), state);
    const row = LICENSE_TYPES.get(5006) as { services_cost: number };
    const price = row.services_cost;
    row.services_cost = price + 2;
    try {
      // The same input again, as the machine's Retry would run it.
      const again = await preparePurchase(deps(), state);
      expect(again.quote.amountUsd).toBe(price + 2);
      expect(again.reservation.amountUsd).toBe(price + 2);
    } finally {
      row.services_cost = price;
    }
    expect(first.reservation.amountUsd).toBe(price);
    // Counted once, at the new price.
    expect(await reservedUsd('interserver')).toBeCloseTo(before + price + 2, 2);
  });
});
