import { afterEach, afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCocalcSandbox, type CocalcSandbox } from '../../lib/local/sandboxes/cocalc';
import { basicAuthorization } from '../../lambdas/vendors/cocalc/adapters/http-client';
import { purchaseIdOfItem, tagDescription } from '../../lambdas/vendors/cocalc/core/cart-tag';
import type { SiteLicenseDescription } from '../../lambdas/vendors/cocalc/core/license';
import { computeSiteLicenseCost } from '../../lambdas/vendors/cocalc/core/pricing';
import { LockBusyError, PurchaseOutcomeUnknownError, QuoteMismatchError, VendorRejectedError, VendorTransientError } from '../../lambdas/core/errors';
import { CartItemChangedError, CheckoutOutcomeUnknownError, InsufficientCreditError } from '../../lambdas/vendors/cocalc/core/errors';
import { COCALC_ACCOUNT_LOCK } from '../../lambdas/vendors/cocalc/core/account-lock';
import type { CocalcGateway } from '../../lambdas/vendors/cocalc/core/ports';
import { recordedMismatch } from '../../lambdas/core/quote-mismatch';
import type { PurchaseResult, Quote, WorkflowState } from '../../lambdas/core/workflow';
import { ApprovalNotVerifiedError } from '../../lambdas/core/verify-approval';
import { makeHandler as makeAddToCart } from '../../lambdas/vendors/cocalc/handlers/add-to-cart';
import { makeHandler as makeCheckout, MAX_CHECKOUT_ATTEMPTS } from '../../lambdas/vendors/cocalc/handlers/checkout';
import { cocalcRequest } from '../support/requests';
import { waitFor } from '../support/wait';
import {
  APPROVED,
  approvalVerifierFor,
  approveThroughLink,
  cocalcGatewayFor,
  cocalcItemOf,
  cocalcStepDeps,
  newPurchase,
  startStepHarness,
  type StepHarness,
} from '../support/workflow-harness';

const CHECKOUT = 'purchases/shopping-cart-checkout';

function descriptionOf(state: WorkflowState): SiteLicenseDescription {
  if (state.request.vendor !== 'cocalc') throw new Error('not a CoCalc request');
  return state.request.item.description;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The state machine's Retry on LockBusyError, compressed: run again until the account is free. */
async function untilLockFree<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof LockBusyError) || attempt >= 500) throw err;
      await sleep(20);
    }
  }
}

/** A gateway that runs `before` ahead of some of its calls (a vendor-side event landing mid-step). */
function withHooks(
  gateway: CocalcGateway,
  hooks: Partial<Record<'checkOurs' | 'checkoutParams' | 'checkout', () => Promise<void>>>,
  ourId: number,
): CocalcGateway {
  const hooked = Object.create(gateway) as CocalcGateway;
  hooked.setChecked = async (checked, id) => {
    if (checked && id === ourId) await hooks.checkOurs?.();
    return gateway.setChecked(checked, id);
  };
  hooked.checkoutParams = async () => {
    await hooks.checkoutParams?.();
    return gateway.checkoutParams();
  };
  hooked.checkout = async () => {
    await hooks.checkout?.();
    return gateway.checkout();
  };
  return hooked;
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
  afterEach(() => {
    // Undo a landing watch (lateCheckoutLanding) a failed test left behind.
    delete (sandbox.faults as { before?: unknown }).before;
  });

  /** A fresh vendor account with its own cart, and the two steps wired to it. */
  function account(balance = 1000, opts: { timeoutMs?: number } = {}) {
    const { apiKey } = sandbox.addAccount({ balance });
    const gateway = cocalcGatewayFor(sandbox.url, apiKey, opts.timeoutMs);
    const deps = { ...cocalcStepDeps(h, gateway), verifyApproval: approvalVerifierFor(h, 'Checkout') };
    return {
      apiKey,
      gateway,
      vendor: () => sandbox.account(apiKey),
      addToCart: makeAddToCart(deps),
      checkout: makeCheckout(deps),
      /** Checkout over another gateway (hooks, faults of the client's own). */
      checkoutVia: (gw: CocalcGateway) => makeCheckout({ ...deps, cocalc: async () => gw }),
      /** An item of the account's owner, checked, as the CoCalc web UI adds it. */
      ownersItem: (state: WorkflowState, runLimit = 7) => gateway.addToCart({ ...descriptionOf(state), run_limit: runLimit }),
    };
  }
  type Account = ReturnType<typeof account>;

  /** A CoCalc purchase that is quoted, in the cart and approved: the state Checkout receives. */
  async function approvedPurchase(acct: Account, quoteDelta = 0, runLimit = 2): Promise<WorkflowState> {
    const base = cocalcRequest();
    const description = { ...(base.item as { description: Record<string, unknown> }).description, run_limit: runLimit };
    const state = await newPurchase(h, { ...base, item: { description } });
    const amountUsd = computeSiteLicenseCost(descriptionOf(state)).lineItemAmount + quoteDelta;
    const quote: Quote = { vendor: 'cocalc', amountUsd, summary: 'test', autoApprove: false };
    const cart = await acct.addToCart(state);
    if (cart.itemId === undefined) throw new Error('AddToCart was sent to wait: the harness ledger should never be full');
    return approveThroughLink(h, { ...state, quote, cart });
  }

  /** The vendor's own records, for the money assertions. */
  function atVendor(acct: Account, state: WorkflowState) {
    const v = acct.vendor();
    const byId = new Map(v.cart.map((i) => [i.id, i]));
    return { ...v, ours: byId.get(cocalcItemOf(state.cart)), item: (id: number) => byId.get(id) };
  }

  /** Exactly our item bought, once, at the approved amount; nothing else. */
  function expectBoughtOnce(acct: Account, state: WorkflowState, balanceBefore = 1000): string {
    const v = atVendor(acct, state);
    expect(v.licenses).toHaveLength(1);
    expect(v.purchases).toHaveLength(1);
    expect(v.ours?.purchased?.license_id).toBe(v.licenses[0]!.id);
    expect(v.purchases[0]).toMatchObject({ license_id: v.licenses[0]!.id, cost: state.quote!.amountUsd });
    expect(v.balance).toBeCloseTo(balanceBefore - state.quote!.amountUsd, 2);
    return v.licenses[0]!.id;
  }

  function expectNothingBought(acct: Account, state: WorkflowState, balanceBefore = 1000): void {
    const v = atVendor(acct, state);
    expect(v.licenses).toHaveLength(0);
    expect(v.purchases).toHaveLength(0);
    expect(v.balance).toBe(balanceBefore);
    expect(v.ours).toMatchObject({ purchased: null });
  }

  const auditTypes = async (state: WorkflowState) => (await h.audit.list(state.purchaseId)).map((e) => e.type);

  it('buys exactly our item at the approved amount and records the license', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const result = await acct.checkout(state);

    const licenseId = expectBoughtOnce(acct, state);
    expect(result).toEqual({ vendor: 'cocalc', amountUsd: state.quote!.amountUsd, licenseId, cartItemId: cocalcItemOf(state.cart), reconciled: false });
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'PURCHASED', licenseId, waiting: null });
    expect((await auditTypes(state)).slice(-2)).toEqual(['VENDOR_CALL', 'PURCHASED']);
  });

  it("leaves the owner's own checked item in the cart unbought and checks it again afterwards", async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const ownerItem = await acct.ownersItem(state);

    await acct.checkout(state);
    expectBoughtOnce(acct, state);
    expect(atVendor(acct, state).item(ownerItem)).toMatchObject({ purchased: null, checked: true });
  });

  it('returns the recorded license when run again after buying, without calling the vendor', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const first = await acct.checkout(state);
    sandbox.faults.set({ failNext: 100 });
    expect(await acct.checkout(state)).toEqual(first);
    sandbox.faults.reset();
    expectBoughtOnce(acct, state);
  });

  it('throws LockBusyError at once while another purchase holds the account, touching nothing at the vendor', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const ownerItem = await acct.ownersItem(state);
    await h.locks.withLock(COCALC_ACCOUNT_LOCK, 'pur-someone-else', 10 * 60_000, async () => {
      const started = Date.now();
      await expect(acct.checkout(state)).rejects.toBeInstanceOf(LockBusyError);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
    expectNothingBought(acct, state);
    expect(atVendor(acct, state).item(ownerItem)).toMatchObject({ checked: true });
    expect((await h.purchases.get(state.purchaseId))?.waiting).toMatchObject({ for: expect.stringMatching(/CoCalc account/) });
  });

  it("never buys the other purchase's item when two purchases check out at once on one account", async () => {
    const acct = account(1000);
    const a = await approvedPurchase(acct, 0, 1);
    const b = await approvedPurchase(acct, 0, 3);
    const ownerItem = await acct.ownersItem(a, 9);

    const [ra, rb] = await Promise.all([untilLockFree(() => acct.checkout(a)), untilLockFree(() => acct.checkout(b))]);

    const v = atVendor(acct, a);
    expect(v.item(cocalcItemOf(a.cart))?.purchased?.license_id).toBe(ra.licenseId);
    expect(v.item(cocalcItemOf(b.cart))?.purchased?.license_id).toBe(rb.licenseId);
    expect(ra.licenseId).not.toBe(rb.licenseId);
    expect(v.licenses.map((l) => l.run_limit).sort()).toEqual([1, 3]);
    expect(v.purchases).toHaveLength(2);
    expect(v.item(ownerItem)).toMatchObject({ purchased: null, checked: true });
    expect(v.balance).toBeCloseTo(1000 - a.quote!.amountUsd - b.quote!.amountUsd, 2);
  });

  it('reports a dropped checkout that took effect as an unknown outcome, then settles it as bought once', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ applyThenDropNext: 1, operations: [CHECKOUT] });

    await expect(acct.checkout(state)).rejects.toBeInstanceOf(CheckoutOutcomeUnknownError);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('PURCHASING');

    // The state machine waits, then runs Checkout again: it reads the item purchased and buys nothing more.
    const result = await acct.checkout(state);
    const licenseId = expectBoughtOnce(acct, state);
    expect(result).toMatchObject({ reconciled: true, licenseId });
    expect(await acct.checkout(state)).toMatchObject({ licenseId });
    expectBoughtOnce(acct, state);
  });

  it('settles a checkout whose answer came after the client gave up as bought once', async () => {
    const acct = account(1000, { timeoutMs: 300 });
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ applyThenDropNext: 1, applyThenDelayMs: 3_000, operations: [CHECKOUT] });

    await expect(acct.checkout(state)).rejects.toBeInstanceOf(CheckoutOutcomeUnknownError);
    const result = await acct.checkout(state);
    expect(result.reconciled).toBe(true);
    expectBoughtOnce(acct, state);
  });

  it("leaves the owner's item unchecked after a checkout dropped before it ran, then proves ours not bought and buys it once", async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const ownerItem = await acct.ownersItem(state);
    sandbox.faults.set({ dropNext: 1, operations: [CHECKOUT] });

    await expect(acct.checkout(state)).rejects.toBeInstanceOf(CheckoutOutcomeUnknownError);
    expectNothingBought(acct, state);
    // A checkout that may still run at the vendor would buy every checked item.
    expect(atVendor(acct, state).item(ownerItem)).toMatchObject({ checked: false, purchased: null });
    const leftUnchecked = (await h.audit.list(state.purchaseId)).find((e) => e.type === 'CART_ITEMS_LEFT_UNCHECKED');
    expect(leftUnchecked?.detail).toEqual({ items: [ownerItem] });
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'PURCHASING', checkout: { attempt: 1, outcome: 'unknown' } });

    const result = await acct.checkout(state);
    expect(result.reconciled).toBe(false);
    expect(result.licenseId).toBe(expectBoughtOnce(acct, state));
    // Still unchecked: the dropped checkout could yet run at the vendor (a client cannot tell a drop from a delay).
    expect(atVendor(acct, state).item(ownerItem)).toMatchObject({ purchased: null, checked: false });
    const entries = await h.audit.list(state.purchaseId);
    expect(entries.find((e) => e.detail?.operation === 'reconcile')?.detail).toMatchObject({ attempt: 1, outcome: 'not-bought' });
    const sent = entries.filter((e) => e.detail?.operation === 'checkout' && e.detail.outcome === undefined);
    expect(sent.map((e) => e.detail?.attempt)).toEqual([1, 2]);
  });

  it('after an unknown outcome, lists for its owner an item checked since and unchecked for the next attempt', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const first = await acct.ownersItem(state, 7);
    sandbox.faults.set({ dropNext: 1, operations: [CHECKOUT] });
    await expect(acct.checkout(state)).rejects.toBeInstanceOf(CheckoutOutcomeUnknownError);
    // The owner checks another item while procure's outcome is still unknown.
    const later = await acct.ownersItem(state, 9);

    await acct.checkout(state);
    expectBoughtOnce(acct, state);
    for (const id of [first, later]) expect(atVendor(acct, state).item(id)).toMatchObject({ purchased: null });
    // Whatever procure unchecked and did not check again, the audit trail names for the owner.
    const listed = new Set(
      (await h.audit.list(state.purchaseId)).filter((e) => e.type === 'CART_ITEMS_LEFT_UNCHECKED').flatMap((e) => e.detail?.items as number[]),
    );
    for (const id of [first, later]) {
      const item = atVendor(acct, state).item(id)!;
      if (!item.checked) expect([...listed]).toContain(id);
    }
  });

  it('never leaves checked a second item of our purchase that an add landing late put in the cart', async () => {
    const acct = account(1000, { timeoutMs: 300 });
    const base = cocalcRequest();
    const state = await newPurchase(h, base);
    // The first add reaches the vendor but takes effect only after the client gave up; the retry adds again.
    sandbox.faults.set({ delayThenApplyNext: 1, delayThenApplyMs: 2_500, operations: ['shopping/cart/add'] });
    await expect(acct.addToCart(state)).rejects.toBeInstanceOf(VendorTransientError);
    const cart = await acct.addToCart(state);
    const tagged = () => acct.vendor().cart.filter((i) => purchaseIdOfItem({ description: i.description as Record<string, unknown> }) === state.purchaseId);
    const [late] = await waitFor('the late add to land', () => (tagged().length === 2 ? tagged().filter((i) => i.id !== cart.itemId) : undefined), 10_000);
    expect(late).toMatchObject({ checked: true, purchased: null });

    const amountUsd = computeSiteLicenseCost(descriptionOf(state)).lineItemAmount;
    const approved = await approveThroughLink(h, { ...state, cart, quote: { vendor: 'cocalc', amountUsd, summary: 'test', autoApprove: false } });
    await acct.checkout(approved);

    expectBoughtOnce(acct, approved);
    // Checked, the duplicate would be bought by the owner's next checkout, unapproved.
    expect(atVendor(acct, approved).item(late!.id)).not.toMatchObject({ checked: true, purchased: null });
  });

  it(`gives up after ${MAX_CHECKOUT_ATTEMPTS} attempts each proven not bought, buying nothing and leaving the purchase APPROVED`, async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ failNext: MAX_CHECKOUT_ATTEMPTS, operations: [CHECKOUT] });

    for (let i = 0; i < MAX_CHECKOUT_ATTEMPTS; i++) {
      await expect(acct.checkout(state)).rejects.toBeInstanceOf(CheckoutOutcomeUnknownError);
    }
    const err = await acct.checkout(state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorTransientError);
    expect((err as Error).message).toMatch(new RegExp(`failed ${MAX_CHECKOUT_ATTEMPTS} times.*nothing was bought`));

    expectNothingBought(acct, state);
    expect(atVendor(acct, state).ours).toMatchObject({ checked: false });
    expect(await h.purchases.get(state.purchaseId)).toMatchObject({
      status: 'APPROVED',
      checkout: { attempt: MAX_CHECKOUT_ATTEMPTS, outcome: 'not-bought' },
    });
  });

  it('keeps the outcome unknown while the item cannot be read back, and settles it once it can', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ applyThenDropNext: 1, operations: [CHECKOUT] });
    await expect(acct.checkout(state)).rejects.toBeInstanceOf(CheckoutOutcomeUnknownError);

    sandbox.faults.set({ failNext: 10, operations: ['shopping/cart/get'] });
    await expect(acct.checkout(state)).rejects.toBeInstanceOf(CheckoutOutcomeUnknownError);
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('PURCHASING');

    sandbox.faults.reset();
    expect(await acct.checkout(state)).toMatchObject({ reconciled: true });
    expectBoughtOnce(acct, state);
  });

  it('reports a checkout that answers success without buying our item as an unknown outcome, saying so', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    sandbox.faults.set({ respondWith: { contentType: 'application/json', body: '{"success":true}' }, operations: [CHECKOUT] });

    const err = await acct.checkout(state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PurchaseOutcomeUnknownError);
    expect((err as Error).message).toMatch(/answered success.*not marked purchased/);
    expectNothingBought(acct, state);
  });

  it('refuses to check out when the vendor total differs from the approved quote, buying nothing', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct, -0.01);
    const ownerItem = await acct.ownersItem(state, 5);

    const err = await acct.checkout(state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuoteMismatchError);
    // The amounts travel as data: the trail's mismatch, which ValidateAndQuote re-quotes from.
    expect(recordedMismatch(await h.audit.list(state.purchaseId))).toMatchObject({
      vendorTotalUsd: computeSiteLicenseCost(descriptionOf(state)).lineItemAmount,
      approvedUsd: state.quote!.amountUsd,
    });
    expectNothingBought(acct, state);
    expect(atVendor(acct, state).ours).toMatchObject({ checked: false });
    expect(atVendor(acct, state).item(ownerItem)).toMatchObject({ checked: true });
  });

  it('refuses, without asking for a re-quote, when someone else checks an item in the middle of the checkout', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    const intruder = await acct.ownersItem(state);
    await acct.gateway.setChecked(false, intruder);
    // A person in CoCalc's web UI checks their item after procure unchecked everything but ours.
    const racing = withHooks(acct.gateway, { checkoutParams: async () => void (await acct.gateway.setChecked(true, intruder)) }, cocalcItemOf(state.cart));

    const err = await acct
      .checkoutVia(racing)(state)
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorRejectedError);
    expect(err).not.toBeInstanceOf(QuoteMismatchError);
    expect((err as Error).message).toMatch(/not exactly item/);
    expectNothingBought(acct, state);
    expect(atVendor(acct, state).ours).toMatchObject({ checked: false });
  });

  it('passes on insufficient credit, buying nothing and leaving the item parked', async () => {
    const acct = account(0);
    const state = await approvedPurchase(acct);
    await expect(acct.checkout(state)).rejects.toBeInstanceOf(InsufficientCreditError);
    expectNothingBought(acct, state, 0);
    expect(atVendor(acct, state).ours).toMatchObject({ checked: false });
    expect((await h.purchases.get(state.purchaseId))?.status).toBe('APPROVED');
  });

  it('refuses an APPROVED $.approval that no approval record backs (SendTaskSuccess called directly), checking out nothing', async () => {
    const acct = account(1000);
    const approved = await approvedPurchase(acct);
    const other = await newPurchase(h, cocalcRequest());
    const cart = await acct.addToCart(other);
    const bypassed: WorkflowState = { ...other, cart, quote: approved.quote, approval: { ...APPROVED } };
    await expect(acct.checkout(bypassed)).rejects.toThrow(ApprovalNotVerifiedError);
    expectNothingBought(acct, bypassed);
    const refused = (await h.audit.list(other.purchaseId)).filter((e) => e.type === 'APPROVAL_NOT_VERIFIED');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.detail).toMatchObject({ step: 'Checkout', claimed: { decision: 'APPROVED' } });
  });

  it('refuses to run for a purchase that was not approved', async () => {
    const acct = account(1000);
    const state = await approvedPurchase(acct);
    await expect(acct.checkout({ ...state, approval: { ...APPROVED, decision: 'REJECTED' } })).rejects.toThrow(/without an approval/);
    expectNothingBought(acct, state);
  });

  describe('an item edited at the vendor after approval', () => {
    /** `shopping/cart/edit`, the vendor's own endpoint (it replaces the description whole). */
    async function editAtVendor(acct: Account, id: number, description: Record<string, unknown>): Promise<void> {
      const res = await fetch(`${sandbox.url}/shopping/cart/edit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basicAuthorization(acct.apiKey) },
        body: JSON.stringify({ id, description }),
      });
      expect(await res.json()).toBe(1);
    }

    const edits: { field: string; change: (d: Record<string, unknown>) => Record<string, unknown>; samePrice: boolean }[] = [
      { field: 'run_limit', change: (d) => ({ ...d, run_limit: 1 }), samePrice: false },
      { field: 'ram', change: (d) => ({ ...d, ram: 6 }), samePrice: false },
      { field: 'uptime', change: (d) => ({ ...d, uptime: 'medium' }), samePrice: false },
      { field: 'title', change: (d) => ({ ...d, title: 'Owner lab license' }), samePrice: true },
      { field: 'description', change: (d) => ({ ...d, description: `procure purchase pur-${'0'.repeat(32)}` }), samePrice: true },
    ];

    it.each(edits)('refuses when $field was edited (price unchanged: $samePrice), buying nothing', async ({ field, change, samePrice }) => {
      const acct = account(1000);
      const state = await approvedPurchase(acct);
      const ownerItem = await acct.ownersItem(state);
      const approved = JSON.parse(JSON.stringify(tagDescription(descriptionOf(state), state.purchaseId))) as Record<string, unknown>;
      const edited = change(approved);
      expect(computeSiteLicenseCost(edited as SiteLicenseDescription).lineItemAmount === state.quote!.amountUsd).toBe(samePrice);
      await editAtVendor(acct, cocalcItemOf(state.cart), edited);

      const err = await acct.checkout(state).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CartItemChangedError);
      expect((err as Error).message).toMatch(new RegExp(`\\(${field}\\); nothing was bought`));

      expectNothingBought(acct, state);
      expect(atVendor(acct, state).ours).toMatchObject({ checked: false });
      expect(atVendor(acct, state).item(ownerItem)).toMatchObject({ checked: true, purchased: null });
      const changed = (await h.audit.list(state.purchaseId)).find((e) => e.type === 'CART_ITEM_CHANGED');
      expect(changed?.detail?.differences).toEqual([{ field, approved: approved[field], atVendor: edited[field] }]);
      expect((await h.purchases.get(state.purchaseId))?.status).toBe('APPROVED');
    });

    it('refuses when the item was moved to another project', async () => {
      const acct = account(1000);
      const state = await approvedPurchase(acct);
      // The API cannot move an item; the vendor's own UI/database can.
      atVendor(acct, state).ours!.project_id = '11111111-2222-4333-8444-555555555555';

      await expect(acct.checkout(state)).rejects.toBeInstanceOf(CartItemChangedError);
      expectNothingBought(acct, state);
      const changed = (await h.audit.list(state.purchaseId)).find((e) => e.type === 'CART_ITEM_CHANGED');
      expect(changed?.detail?.differences).toEqual([{ field: 'project_id', approved: null, atVendor: '11111111-2222-4333-8444-555555555555' }]);
    });
  });

  /**
   * The stale late checkout (issue 8): checkout #1 reaches the vendor but is applied only after the
   * client gave up, and then buys whatever is checked at that moment. Whatever the order of that
   * late apply and the second run, the vendor must show exactly one license, for our item, one
   * charge, and the owner's item never bought.
   */
  describe('a checkout the vendor applies after the client gave up', () => {
    const CLIENT_TIMEOUT_MS = 300;
    /** Far past the client's timeout (undici checks it on ~1 s ticks) and the second run's duration. */
    const LATE_MS = 4_000;

    /** Resolves once the delayed checkout has taken effect at the sandbox. */
    function lateCheckoutLanding(): { landed: Promise<void>; hasLanded: () => boolean } {
      const faults = sandbox.faults;
      const original = faults.before.bind(faults);
      let done = false;
      const landed = new Promise<void>((resolve) => {
        faults.before = async (op, res) => {
          const delayed = op === CHECKOUT && (faults.current().delayThenApplyNext ?? 0) > 0;
          const decision = await original(op, res);
          if (delayed) {
            delete (faults as { before?: unknown }).before;
            // The server applies the request right after this returns, before any timer runs.
            setImmediate(() => {
              done = true;
              resolve();
            });
          }
          return decision;
        };
      });
      return { landed, hasLanded: () => done };
    }

    type Hooks = Parameters<typeof withHooks>[1];
    const interleavings: { when: string; beforeSecondRun: boolean; afterSecondRun?: boolean; hooks: (landed: Promise<void>) => Hooks }[] = [
      { when: 'before the second run', beforeSecondRun: true, hooks: () => ({}) },
      { when: 'after the second run', beforeSecondRun: false, afterSecondRun: true, hooks: () => ({}) },
      { when: 'during the second run, before it checks our item', beforeSecondRun: false, hooks: (landed) => ({ checkOurs: () => landed }) },
      {
        when: 'during the second run, between checking our item and reading the checkout params',
        beforeSecondRun: false,
        hooks: (landed) => ({ checkoutParams: () => landed }),
      },
      { when: 'during the second run, just before its own checkout', beforeSecondRun: false, hooks: (landed) => ({ checkout: () => landed }) },
    ];

    it.each(interleavings)("buys our item exactly once and never the owner's when it lands $when", async ({ beforeSecondRun, afterSecondRun, hooks }) => {
      const acct = account(1000, { timeoutMs: CLIENT_TIMEOUT_MS });
      const state = await approvedPurchase(acct);
      const ownerItem = await acct.ownersItem(state, 7);
      const watch = lateCheckoutLanding();
      sandbox.faults.set({ delayThenApplyNext: 1, delayThenApplyMs: LATE_MS, operations: [CHECKOUT] });

      await expect(acct.checkout(state)).rejects.toBeInstanceOf(CheckoutOutcomeUnknownError);
      expect(watch.hasLanded()).toBe(false);
      expect(atVendor(acct, state).item(ownerItem)).toMatchObject({ checked: false, purchased: null });

      if (beforeSecondRun) {
        await watch.landed;
        // Checkout #1 was sent with only our item checked: it bought ours.
        await waitFor('the late checkout to buy our item', () => atVendor(acct, state).ours?.purchased !== null, 5_000);
      }
      const second = acct.checkoutVia(withHooks(acct.gateway, hooks(watch.landed), cocalcItemOf(state.cart)));
      // The state machine runs Checkout again while it reports an unknown outcome.
      let result: PurchaseResult | undefined;
      let failure: unknown;
      for (let run = 0; run < 3 && result === undefined && failure === undefined; run++) {
        try {
          result = await second(state);
        } catch (err) {
          if (!(err instanceof CheckoutOutcomeUnknownError)) failure = err;
        }
      }
      // Else this case did not produce the order it is named for.
      if (afterSecondRun) expect(watch.hasLanded()).toBe(false);
      await watch.landed;

      // The vendor's truth, whatever procure concluded.
      expect(atVendor(acct, state).item(ownerItem)).toMatchObject({ purchased: null });
      const licenseId = expectBoughtOnce(acct, state);
      // And procure's: the license it records is the one the vendor created.
      expect(failure).toBeUndefined();
      expect(result?.licenseId).toBe(licenseId);
      expect(await h.purchases.get(state.purchaseId)).toMatchObject({ status: 'PURCHASED', licenseId });
    });
  });
});
