import { setTimeout as sleep } from 'node:timers/promises';
import { PurchaseOutcomeUnknownError, VendorRejectedError, VendorTransientError } from '../core/errors';
import { COCALC_ACCOUNT_LOCK, PURCHASE_LOCK_TTL_MS } from '../core/locks';
import { formatUsd, sameCents } from '../core/money';
import type { AuditLog, CocalcCartItem, CocalcCheckoutParams, CocalcGateway, LockManager, PurchaseStore } from '../core/ports';
import { recordStep } from '../core/purchase-journal';
import { quoteMismatchError } from '../core/quote-mismatch';
import type { PurchaseResult, Quote, WorkflowState } from '../core/workflow';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { vendorGateways } from '../shared/vendor-gateways';
import { vendorStepDeps } from '../shared/vendor-step-deps';

/** What Checkout needs. */
export interface CheckoutDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  locks: LockManager;
  cocalc: () => Promise<CocalcGateway>;
  /**
   * Wait after an unknown-outcome checkout before reading the cart item: a request the client gave
   * up on may still be finishing on the vendor's side.
   * @default 2000
   */
  settleMs?: number;
}

/** Checkout attempts per invocation: the second only after the first was proven not to have bought. */
const MAX_ATTEMPTS = 2;
/** Reads are safe to repeat; a reconciliation read gets this many tries before the outcome is "unknown". */
const READ_ATTEMPTS = 3;

/**
 * Checkout (CoCalc). CoCalc's checkout buys EVERY checked item in the cart, so under the
 * per-account lock this unchecks everything, checks only our item, and checks the vendor's own
 * checkout parameters (the cart must be exactly our item, the total the approved quote to the
 * cent) before buying; the other items' checked state is always put back afterwards.
 *
 * Never retried blindly: a checkout whose outcome is unknown (VendorTransientError) is reconciled
 * by reading our cart item. Bought -> success (`reconciled`). Provably not bought (the vendor's
 * checkout is one all-or-nothing transaction) -> one more attempt. Unreadable ->
 * PurchaseOutcomeUnknownError, and the purchase stays PURCHASING so the compensation keeps the
 * budget. Idempotent: a recorded license id, or our item already purchased, is returned as is.
 */
export function makeHandler(deps: CheckoutDeps): (state: WorkflowState) => Promise<PurchaseResult> {
  const settleMs = deps.settleMs ?? 2_000;
  return async (state) => {
    const { purchaseId, quote } = state;
    if (!quote || quote.vendor !== 'cocalc') throw new Error('Checkout needs a CoCalc $.quote');
    // Defence in depth: the machine routes only approved purchases here.
    if (state.approval?.decision !== 'APPROVED') throw new Error(`Checkout of ${purchaseId} without an approval`);

    const record = await deps.purchases.get(purchaseId);
    const itemId = state.cart?.itemId ?? record?.cartItemId;
    if (itemId === undefined) throw new Error(`Checkout of ${purchaseId} has no cart item`);
    if (record?.licenseId) return result(quote, itemId, record.licenseId, false);

    const gateway = await deps.cocalc();
    const checkout = new CheckoutRun(deps, gateway, purchaseId, quote, itemId, settleMs);
    return deps.locks.withLock(COCALC_ACCOUNT_LOCK, purchaseId, PURCHASE_LOCK_TTL_MS, () => checkout.run());
  };
}

/** One invocation's checkout of one cart item, under the account lock. */
class CheckoutRun {
  constructor(
    private readonly deps: CheckoutDeps,
    private readonly gateway: CocalcGateway,
    private readonly purchaseId: string,
    private readonly quote: Quote,
    private readonly itemId: number,
    private readonly settleMs: number,
  ) {}

  async run(): Promise<PurchaseResult> {
    // An earlier attempt may have bought it and died before recording the license.
    const earlier = await this.readItem();
    if (earlier.purchased) return this.bought(earlier, true);

    const cart = await this.gateway.getCart();
    if (!cart.some((i) => i.id === this.itemId)) {
      throw new VendorRejectedError(`CoCalc cart item ${this.itemId} is no longer in the cart (removed or saved for later)`);
    }
    const othersChecked = cart.filter((i) => i.id !== this.itemId && i.checked).map((i) => i.id);
    let boughtItem = false;
    try {
      const outcome = await this.buy();
      boughtItem = true;
      return outcome;
    } finally {
      await this.restore(othersChecked, boughtItem);
    }
  }

  private async buy(): Promise<PurchaseResult> {
    for (let attempt = 1; ; attempt += 1) {
      await this.gateway.setChecked(false);
      await this.gateway.setChecked(true, this.itemId);
      await this.verifyCheckoutParams(await this.gateway.checkoutParams());

      await this.step('PURCHASING', 'VENDOR_CALL', `Checking out cart item ${this.itemId} (attempt ${attempt})`, {
        operation: 'checkout',
        attempt,
        amountUsd: this.quote.amountUsd,
      });
      try {
        await this.gateway.checkout();
      } catch (err) {
        if (!(err instanceof VendorTransientError)) {
          // The vendor refused (insufficient credit, ...): nothing was bought.
          await this.step('APPROVED', 'VENDOR_CALL', `Checkout refused: ${(err as Error).message}`, {
            operation: 'checkout',
            attempt,
            outcome: 'refused',
            error: (err as Error).name,
          });
          throw err;
        }
        const after = await this.reconcile(err, attempt);
        if (after.purchased) return this.bought(after, true);
        if (attempt >= MAX_ATTEMPTS) {
          await this.step('APPROVED', 'VENDOR_CALL', `Checkout failed ${attempt} times and bought nothing`, {
            operation: 'checkout',
            attempt,
            outcome: 'not-bought',
          });
          throw new VendorTransientError(`CoCalc checkout failed ${attempt} times without buying: ${err.message}`);
        }
        continue;
      }
      return this.bought(await this.readItem(), false);
    }
  }

  /** The cart must be exactly our item, at exactly the approved amount. Otherwise nothing is bought. */
  private async verifyCheckoutParams(params: CocalcCheckoutParams): Promise<void> {
    const ours = params.cart.find((line) => line.id === this.itemId);
    if (params.cart.length !== 1 || !ours) {
      // Someone changed the cart's checked items under us (the lock binds procure only). That is no
      // price change: a re-quote would price the wrong items, so stop without buying.
      const problem = `the checkout would cover items [${params.cart.map((l) => l.id).join(', ')}], not exactly item ${this.itemId}`;
      await this.step('APPROVED', 'CHECKOUT_REFUSED', `Not checking out: ${problem}`, { cart: params.cart });
      throw new VendorRejectedError(`CoCalc checkout stopped: ${problem}`);
    }
    if (sameCents(params.total, this.quote.amountUsd)) return;
    const problem = `the vendor's total is ${formatUsd(params.total)}, the approved quote ${formatUsd(this.quote.amountUsd)}`;
    await this.step('APPROVED', 'QUOTE_MISMATCH', `Not checking out: ${problem}`, {
      vendorTotalUsd: ours.lineItemAmount,
      approvedUsd: this.quote.amountUsd,
      cart: params.cart,
    });
    throw quoteMismatchError(ours.lineItemAmount, this.quote.amountUsd, problem);
  }

  /** After an unknown outcome: wait for the vendor to settle, then read our item. */
  private async reconcile(err: VendorTransientError, attempt: number): Promise<CocalcCartItem> {
    await this.step('PURCHASING', 'VENDOR_CALL', `Checkout outcome unknown (${err.message}); reconciling`, {
      operation: 'checkout',
      attempt,
      outcome: 'unknown',
    });
    if (this.settleMs > 0) await sleep(this.settleMs);
    let item: CocalcCartItem;
    try {
      item = await this.readItem();
    } catch (readErr) {
      const message =
        `CoCalc checkout of cart item ${this.itemId} may have bought it: the checkout failed (${err.message}) and the item ` +
        `could not be read (${(readErr as Error).message})`;
      await this.step('PURCHASING', 'VENDOR_CALL', message, { operation: 'reconcile', outcome: 'unknown' });
      throw new PurchaseOutcomeUnknownError(message);
    }
    // Proven not bought: back to APPROVED, so a failure from here on is not taken for a possible purchase.
    await this.step(
      item.purchased ? 'PURCHASING' : 'APPROVED',
      'VENDOR_CALL',
      item.purchased ? 'Reconciled: the item was bought' : 'Reconciled: the item was not bought',
      { operation: 'reconcile', outcome: item.purchased ? 'bought' : 'not-bought' },
    );
    return item;
  }

  private async bought(item: CocalcCartItem, reconciled: boolean): Promise<PurchaseResult> {
    const licenseId = item.purchased?.licenseId;
    if (!licenseId) {
      // Bought (or marked so) without a license id: a human must look; the budget stays held.
      throw new PurchaseOutcomeUnknownError(`CoCalc cart item ${this.itemId} is marked purchased but names no license`);
    }
    await recordStep(
      this.deps,
      this.purchaseId,
      {
        type: 'PURCHASED',
        status: 'PURCHASED',
        message: `Bought CoCalc license ${licenseId} for ${formatUsd(this.quote.amountUsd)}${reconciled ? ' (established by reconciliation)' : ''}`,
        detail: { licenseId, cartItemId: this.itemId, amountUsd: this.quote.amountUsd, reconciled },
      },
      { licenseId },
    );
    return result(this.quote, this.itemId, licenseId, reconciled);
  }

  /**
   * Puts the other items' checked state back and parks ours unchecked unless bought. Runs after
   * the outcome is known (never while a checkout may still be deciding what to buy). A failure
   * here is audited loudly but never hides the purchase's own outcome.
   */
  private async restore(othersChecked: number[], bought: boolean): Promise<void> {
    const failed: number[] = [];
    const set = async (checked: boolean, id: number) => {
      try {
        await this.gateway.setChecked(checked, id);
      } catch (err) {
        failed.push(id);
        logger.warn('could not restore a cart item', { itemId: id, checked, error: (err as Error).message });
      }
    };
    if (!bought) await set(false, this.itemId);
    for (const id of othersChecked) await set(true, id);
    if (failed.length) {
      await this.deps.audit.append(this.purchaseId, {
        type: 'CART_RESTORE_FAILED',
        status: bought ? 'PURCHASED' : 'APPROVED',
        actor: 'system',
        message: `Could not restore the checked state of CoCalc cart items [${failed.join(', ')}]: check them in the CoCalc cart`,
        detail: { items: failed, othersChecked },
      });
    }
  }

  private async readItem(): Promise<CocalcCartItem> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.gateway.getCartItem(this.itemId);
      } catch (err) {
        if (!(err instanceof VendorTransientError) || attempt >= READ_ATTEMPTS) throw err;
      }
    }
  }

  private step(status: 'PURCHASING' | 'APPROVED', type: string, message: string, detail: Record<string, unknown>): Promise<void> {
    return recordStep(this.deps, this.purchaseId, { type, status, message, detail: { cartItemId: this.itemId, ...detail } });
  }
}

function result(quote: Quote, cartItemId: number, licenseId: string, reconciled: boolean): PurchaseResult {
  return { vendor: 'cocalc', amountUsd: quote.amountUsd, licenseId, cartItemId, reconciled };
}

/** Production wiring, once per cold start. */
export function defaultDeps(): CheckoutDeps {
  return {
    ...vendorStepDeps(),
    cocalc: () => vendorGateways().cocalc(),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
