import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import type { SiteLicenseDescription } from '../../lambdas/core/cocalc-license';
import { computeSiteLicenseCost } from '../../lambdas/core/cocalc-pricing';
import {
  InsufficientCreditError,
  PurchaseOutcomeUnknownError,
  QuoteMismatchError,
  VendorRejectedError,
  VendorTransientError,
} from '../../lambdas/core/errors';
import { describeFailure } from '../../lambdas/core/failure';
import type { CocalcGateway } from '../../lambdas/core/ports';
import { parseQuoteMismatch } from '../../lambdas/core/quote-mismatch';
import type { Quote, WorkflowState } from '../../lambdas/core/workflow';
import { makeHandler as makeAddToCart } from '../../lambdas/handlers/cocalc-add-to-cart';
import { makeHandler as makeCheckout } from '../../lambdas/handlers/cocalc-checkout';
import { cocalcRequest } from '../support/requests';
import { APPROVED, cocalcGatewayFor, newPurchase, startStepHarness, type StepHarness } from '../support/workflow-harness';

function descriptionOf(state: WorkflowState): SiteLicenseDescription {
  if (state.request.vendor !== 'cocalc') throw new Error('not a CoCalc request');
  return state.request.item.description;
}

describe('Checkout (CoCalc)', () => {
  let h: StepHarness;
  let sandbox: CocalcSandbox;

  beforeAll(async () => {
    h = await startStepHarness();
    sandbox = await startCocalcSandbox({ throttle: false });
  });
  afterAll(async () => {
    await sandbox.close();
    await h.close();
  });
  beforeEach(() => sandbox.faults.reset());

  /** A fresh vendor account with its own cart, and the two steps wired to it. */
  function account(balance = 1000, opts: { timeoutMs?: number; settleMs?: number } = {}) {
    const { apiKey } = sandbox.addAccount({ balance });
    const gateway = cocalcGatewayFor(sandbox.url, apiKey, opts.timeoutMs);
    const deps = { audit: h.audit, purchases: h.purchases, locks: h.locks, cocalc: async () => gateway };
    return {
      apiKey,
      gateway,
      vendor: () => sandbox.account(apiKey),
      addToCart: makeAddToCart(deps),
      checkout: makeCheckout({ ...deps, settleMs: opts.settleMs ?? 0 }),
    };
  }

  /** A CoCalc purchase that is quoted, in the cart and approved: the state Checkout receives. */
  async function approvedPurchase(acct: ReturnType<typeof account>, quoteDelta = 0, runLimit = 2): Promise<WorkflowState> {
    const base = cocalcRequest();
    const description = { ...(base.item as { description: Record<string, unknown> }).description, run_limit: runLimit };
    const state = await newPurchase(h, { ...base, item: { description } });
    const amountUsd = computeSiteLicenseCost(descriptionOf(state)).lineItemAmount + quoteDelta;
    const quote: Quote = { vendor: 'cocalc', amountUsd, summary: 'test', autoApprove: false };
    const cart = await acct.addToCart(state);
    return { ...state, quote, cart, approval: { ...APPROVED } };
  }

  it('buys exactly our item at the approved amount and records the license', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const result = await acct.checkout(state);

    const vendor = acct.vendor();
    expect(vendor.licenses).toHaveLength(1);
    expect(result).toEqual({
      vendor: 'cocalc',
      amountUsd: state.quote!.amountUsd,
      licenseId: vendor.licenses[0]!.id,
      cartItemId: state.cart!.itemId,
      reconciled: false,
    });
    expect(vendor.balance).toBeCloseTo(1000 - state.quote!.amountUsd, 2);
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'PURCHASED', licenseId: result.licenseId });
    const types = (await h.audit.list(state.purchaseId)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['VENDOR_CALL', 'PURCHASED']);
  });

  it('leaves the owner\'s own checked item in the cart unbought and checks it again afterwards', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const ownerItem = await acct.gateway.addToCart({ ...descriptionOf(state), run_limit: 7 });

    await acct.checkout(state);
    const owner = acct.vendor().cart.find((i) => i.id === ownerItem);
    expect(owner).toMatchObject({ purchased: null, checked: true });
    expect(acct.vendor().licenses).toHaveLength(1);
  });

  it('never buys the other purchase\'s item when two purchases check out at once on one account', async () => {
    const acct = account(1000);
    const a = await approvedPurchase(acct, 0, 1);
    const b = await approvedPurchase(acct, 0, 3);
    const ownerItem = await acct.gateway.addToCart({ ...descriptionOf(a), run_limit: 9 });

    const [ra, rb] = await Promise.all([acct.checkout(a), acct.checkout(b)]);

    const vendor = acct.vendor();
    const byId = new Map(vendor.cart.map((i) => [i.id, i]));
    expect(byId.get(a.cart!.itemId)?.purchased?.license_id).toBe(ra.licenseId);
    expect(byId.get(b.cart!.itemId)?.purchased?.license_id).toBe(rb.licenseId);
    expect(ra.licenseId).not.toBe(rb.licenseId);
    expect(vendor.licenses.map((l) => l.run_limit).sort()).toEqual([1, 3]);
    expect(byId.get(ownerItem)).toMatchObject({ purchased: null, checked: true });
    expect(vendor.balance).toBeCloseTo(1000 - a.quote!.amountUsd - b.quote!.amountUsd, 2);
  });

  it('reconciles a checkout that took effect but whose connection dropped as bought, and never buys twice', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ applyThenDropNext: 1, operations: ['purchases/shopping-cart-checkout'] });

    const result = await acct.checkout(state);
    expect(result).toMatchObject({ reconciled: true, licenseId: acct.vendor().licenses[0]!.id });
    expect(acct.vendor().licenses).toHaveLength(1);
    expect(acct.vendor().balance).toBeCloseTo(1000 - state.quote!.amountUsd, 2);

    // Step Functions running the state again changes nothing.
    expect(await acct.checkout(state)).toMatchObject({ licenseId: result.licenseId });
    expect(acct.vendor().licenses).toHaveLength(1);
  });

  it('reconciles a checkout whose answer came after the client gave up, as bought once', async () => {
    // The settle wait is what lets a slow vendor finish before we look (and before we would retry).
    // Wide margins: under a loaded CPU a 300 ms timeout and a slightly later answer can race.
    const acct = account(1000, { timeoutMs: 300, settleMs: 2_500 });
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ applyThenDropNext: 1, applyThenDelayMs: 2_000, operations: ['purchases/shopping-cart-checkout'] });

    const result = await acct.checkout(state);
    expect(result.reconciled).toBe(true);
    expect(acct.vendor().licenses).toHaveLength(1);
  });

  it('tries once more after proving a dropped checkout bought nothing, and buys once', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ dropNext: 1, operations: ['purchases/shopping-cart-checkout'] });

    const result = await acct.checkout(state);
    expect(result.reconciled).toBe(false);
    expect(acct.vendor().licenses).toHaveLength(1);
    const calls = (await h.audit.list(state.purchaseId)).filter((e) => e.detail?.operation === 'checkout' && e.detail.outcome === undefined);
    expect(calls.map((e) => e.detail?.attempt)).toEqual([1, 2]);
  });

  it('gives up without buying when the checkout fails twice without effect, leaving the item parked', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ failNext: 2, operations: ['purchases/shopping-cart-checkout'] });

    await expect(acct.checkout(state)).rejects.toBeInstanceOf(VendorTransientError);
    expect(acct.vendor().licenses).toHaveLength(0);
    expect(acct.vendor().cart.find((i) => i.id === state.cart!.itemId)).toMatchObject({ checked: false, purchased: null });
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('APPROVED');
  });

  it('reports an unknown outcome when a checkout drops and the item cannot be read back', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    // Arm the read failures only once the checkout has been sent.
    const gateway = Object.create(acct.gateway) as CocalcGateway;
    gateway.checkout = async () => {
      try {
        await acct.gateway.checkout();
      } finally {
        sandbox.faults.set({ failNext: 10, operations: ['shopping/cart/get'] });
      }
    };
    sandbox.faults.set({ applyThenDropNext: 1, operations: ['purchases/shopping-cart-checkout'] });
    const checkout = makeCheckout({ audit: h.audit, purchases: h.purchases, locks: h.locks, cocalc: async () => gateway, settleMs: 0 });

    await expect(checkout(state)).rejects.toBeInstanceOf(PurchaseOutcomeUnknownError);
    sandbox.faults.reset();
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('PURCHASING');
  });

  it('refuses to check out when the vendor total differs from the approved quote, buying nothing', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct, -0.01);
    const ownerItem = await acct.gateway.addToCart({ ...descriptionOf(state), run_limit: 5 });

    const err = await acct.checkout(state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuoteMismatchError);
    const cause = JSON.stringify({ errorType: 'QuoteMismatchError', errorMessage: (err as Error).message });
    expect(parseQuoteMismatch(describeFailure({ Error: 'QuoteMismatchError', Cause: cause }).message)).toEqual({
      vendorTotalUsd: computeSiteLicenseCost(descriptionOf(state)).lineItemAmount,
      approvedUsd: state.quote!.amountUsd,
    });
    const vendor = acct.vendor();
    expect(vendor.licenses).toHaveLength(0);
    expect(vendor.balance).toBe(1000);
    expect(vendor.cart.find((i) => i.id === state.cart!.itemId)).toMatchObject({ checked: false });
    expect(vendor.cart.find((i) => i.id === ownerItem)).toMatchObject({ checked: true });
  });

  it('refuses, without asking for a re-quote, when someone else checks an item in the middle of the checkout', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const intruder = await acct.gateway.addToCart({ ...descriptionOf(state), run_limit: 7 });
    await acct.gateway.setChecked(false, intruder);
    // A person in CoCalc's web UI checks their item after procure unchecked everything but ours.
    const racing: CocalcGateway = Object.assign(Object.create(acct.gateway) as CocalcGateway, {
      checkoutParams: async () => {
        await acct.gateway.setChecked(true, intruder);
        return acct.gateway.checkoutParams();
      },
    });
    const checkout = makeCheckout({ audit: h.audit, purchases: h.purchases, locks: h.locks, cocalc: async () => racing, settleMs: 0 });

    const err = await checkout(state).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorRejectedError);
    expect(err).not.toBeInstanceOf(QuoteMismatchError);
    expect((err as Error).message).toMatch(/not exactly item/);
    expect(acct.vendor().licenses).toHaveLength(0);
    expect(acct.vendor().balance).toBe(1000);
    expect(acct.vendor().cart.find((i) => i.id === state.cart!.itemId)).toMatchObject({ checked: false });
  });

  it('passes on insufficient credit, buying nothing and leaving the item parked', async () => {
    const acct = account(0);
    const state = await approvedPurchase(acct);
    await expect(acct.checkout(state)).rejects.toBeInstanceOf(InsufficientCreditError);
    expect(acct.vendor().licenses).toHaveLength(0);
    expect(acct.vendor().cart.find((i) => i.id === state.cart!.itemId)).toMatchObject({ checked: false });
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('APPROVED');
  });

  it('refuses to run for a purchase that was not approved', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    await expect(acct.checkout({ ...state, approval: { ...APPROVED, decision: 'REJECTED' } })).rejects.toThrow(/without an approval/);
    expect(acct.vendor().licenses).toHaveLength(0);
  });
});
