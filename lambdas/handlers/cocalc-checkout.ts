import { differencesFromApproved, purchaseIdOfItem, tagDescription } from '../core/cocalc-cart-tag';
import {
  CartItemChangedError,
  CheckoutOutcomeUnknownError,
  LockBusyError,
  PurchaseOutcomeUnknownError,
  VendorRejectedError,
  VendorTransientError,
} from '../core/errors';
import { COCALC_ACCOUNT_LOCK, lockLeaseMs, type InvocationClock } from '../core/locks';
import { formatUsd, sameCents } from '../core/money';
import type { AuditLog, CheckoutProgress, CocalcCartItem, CocalcCheckoutParams, CocalcGateway, LockManager, PurchaseStore } from '../core/ports';
import { parsePurchaseRequest } from '../core/purchase-request';
import { recordStep } from '../core/purchase-journal';
import { quoteMismatchError } from '../core/quote-mismatch';
import type { PurchaseResult, Quote, WorkflowState } from '../core/workflow';
import { approvalVerifier } from '../shared/approval-verification';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { cocalcGateway } from '../composition/cocalc';
import { vendorStepDeps } from '../shared/vendor-step-deps';

/** What Checkout needs. */
export interface CheckoutDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  locks: LockManager;
  cocalc: () => Promise<CocalcGateway>;
  /** Proves the purchase was approved (lambdas/core/verify-approval.ts); throws before any vendor call when not. */
  verifyApproval: (state: WorkflowState) => Promise<void>;
}

/** Checkout attempts per purchase; a new one only after the vendor proved the last one bought nothing of ours. */
export const MAX_CHECKOUT_ATTEMPTS = 3;
/** Reads are safe to repeat; a read gets this many tries before the step gives up for now. */
const READ_ATTEMPTS = 3;

/**
 * Checkout (CoCalc). CoCalc's checkout buys EVERY checked item in the cart, so under the account
 * lock it:
 * - compares the vendor-side item field by field with what was approved (description with its
 *   procure tag, project) and refuses on any difference (CartItemChangedError: nothing bought);
 * - unchecks everything, checks only our item, and requires the vendor's own checkout parameters
 *   to cover exactly our item at the approved amount, so a checkout never runs while other items
 *   are checked;
 * - re-checks the items it unchecked only once its outcome is known.
 *
 * An unknown outcome (VendorTransientError, or a step that died mid-checkout) is never retried
 * blindly and never waited out inside the Lambda: it is recorded and thrown as
 * CheckoutOutcomeUnknownError, the state machine waits, and the next run first settles it. Our
 * item purchased -> bought. Otherwise `checked {checked:false, id}` answering 1 proves it was not
 * bought and that the late checkout can no longer buy it (CoCalc's setCheck updates only
 * unpurchased, unremoved items), and only then is a new attempt made. The items unchecked for an
 * attempt whose outcome was unknown stay unchecked (a late checkout would buy them): the audit
 * trail lists them for their owner.
 */
export function makeHandler(deps: CheckoutDeps): (state: WorkflowState, context?: InvocationClock) => Promise<PurchaseResult> {
  return async (state, context) => {
    const { purchaseId, quote } = state;
    if (!quote || quote.vendor !== 'cocalc') throw new Error('Checkout needs a CoCalc $.quote');
    // Defence in depth: the machine routes only approved purchases here.
    if (state.approval?.decision !== 'APPROVED') throw new Error(`Checkout of ${purchaseId} without an approval`);
    // ...and never trusts it: the approval record (or the auto-approve policy) must prove it.
    await deps.verifyApproval(state);
    const request = parsePurchaseRequest(state.request);
    if (request.vendor !== 'cocalc') throw new Error('Checkout needs a CoCalc request');

    const record = await deps.purchases.get(purchaseId);
    const itemId = state.cart?.itemId ?? record?.cartItemId;
    if (itemId === undefined) throw new Error(`Checkout of ${purchaseId} has no cart item`);
    if (record?.licenseId) return result(quote, itemId, record.licenseId, false);

    const gateway = await deps.cocalc();
    const approved = { description: tagDescription(request.item.description, purchaseId), projectId: request.item.projectId };
    const run = new CheckoutRun(deps, gateway, purchaseId, quote, itemId, approved, record?.checkout);
    try {
      return await deps.locks.withLock(COCALC_ACCOUNT_LOCK, purchaseId, lockLeaseMs(context), () => run.run());
    } catch (err) {
      if (err instanceof LockBusyError) {
        await deps.purchases.update(purchaseId, {
          waiting: { for: 'the CoCalc account (another purchase is using its cart)', since: new Date().toISOString() },
        });
      }
      throw err;
    }
  };
}

interface Approved {
  description: ReturnType<typeof tagDescription>;
  projectId: string | undefined;
}

/** One invocation's checkout of one cart item, under the account lock. */
class CheckoutRun {
  constructor(
    private readonly deps: CheckoutDeps,
    private readonly gateway: CocalcGateway,
    private readonly purchaseId: string,
    private readonly quote: Quote,
    private readonly itemId: number,
    private readonly approved: Approved,
    private progress: CheckoutProgress | undefined,
  ) {}

  async run(): Promise<PurchaseResult> {
    const item = await this.readItem();
    const pending = this.progress !== undefined && this.progress.outcome !== 'not-bought';
    if (item.purchased) return pending ? this.reconciledBought(item) : this.bought(item, false);
    if (pending) {
      const settled = await this.proveNotBought();
      if (settled) return settled;
    }
    const attempt = (this.progress?.attempt ?? 0) + 1;
    if (attempt > MAX_CHECKOUT_ATTEMPTS) {
      throw new VendorTransientError(`CoCalc checkout failed ${MAX_CHECKOUT_ATTEMPTS} times; the vendor's records show nothing was bought`);
    }
    await this.compareWithApproved(item);

    const cart = await this.gateway.getCart();
    const others = cart.filter((i) => i.id !== this.itemId && i.checked);
    // Items tagged for a procure purchase (a duplicate of ours from a late add, an orphan) are
    // never checked again: only their own purchase's checkout may check them.
    const othersChecked = others.filter((i) => purchaseIdOfItem(i) === undefined).map((i) => i.id);
    // After an unknown outcome nothing is re-checked, ever (a late checkout would buy it).
    const hadUnknown = this.progress?.hadUnknown === true;
    const othersUnchecked = hadUnknown ? [] : [...new Set([...(this.progress?.othersUnchecked ?? []), ...othersChecked])];
    const keep = { ...(hadUnknown ? { hadUnknown } : {}) };
    await this.gateway.setChecked(false);
    if (hadUnknown && othersChecked.length) await this.leftUnchecked(othersChecked);
    await this.gateway.setChecked(true, this.itemId);
    try {
      await this.verifyCheckoutParams(await this.gateway.checkoutParams());
    } catch (err) {
      // Our own earlier checkout may have landed in between and bought our item: that is no refusal.
      const now = await this.readItem();
      if (now.purchased) return this.reconciledBought(now);
      await this.restore(othersUnchecked, false);
      throw err;
    }
    await this.save({ attempt, outcome: 'started', othersUnchecked, ...keep }, 'PURCHASING', 'VENDOR_CALL', `Checking out cart item ${this.itemId} (attempt ${attempt})`, {
      operation: 'checkout',
      attempt,
      amountUsd: this.quote.amountUsd,
    });
    try {
      await this.gateway.checkout();
    } catch (err) {
      if (err instanceof VendorTransientError) return this.unknown(err, attempt, othersUnchecked);
      // The vendor refused (insufficient credit, ...): the transaction rolled back, nothing was bought.
      await this.save({ attempt, outcome: 'not-bought', othersUnchecked, ...keep }, 'APPROVED', 'VENDOR_CALL', `Checkout refused: ${(err as Error).message}`, {
        operation: 'checkout',
        attempt,
        outcome: 'refused',
        error: (err as Error).name,
      });
      await this.restore(othersUnchecked, false);
      throw err;
    }
    const after = await this.readItem();
    if (!after.purchased) {
      // Nothing to restore on an answer that contradicts the vendor's own records: park ours, list the rest.
      await this.gateway.setChecked(false, this.itemId).catch(() => 0);
      if (othersUnchecked.length) await this.leftUnchecked(othersUnchecked);
      throw new PurchaseOutcomeUnknownError(
        `CoCalc answered success to the checkout of cart item ${this.itemId}, but the item is not marked purchased: check the account's purchases`,
      );
    }
    await this.restore(othersUnchecked, true);
    return this.bought(after, false);
  }

  /**
   * After an attempt with an unknown outcome whose item is not (yet) purchased: unchecking our item
   * by id answers 1 only while it is unpurchased and in the cart, and once unchecked a late
   * checkout can no longer buy it. Anything else is not proof, and nothing is bought again.
   */
  private async proveNotBought(): Promise<PurchaseResult | undefined> {
    const attempt = this.progress!.attempt;
    const updated = await this.gateway.setChecked(false, this.itemId);
    if (updated !== 1) {
      const item = await this.readItem();
      if (item.purchased) return this.reconciledBought(item);
      throw new VendorRejectedError(
        `CoCalc cart item ${this.itemId} is neither purchased nor in the cart any more (removed at the vendor?) after checkout attempt ${attempt}`,
      );
    }
    if (this.progress!.othersUnchecked.length) await this.leftUnchecked(this.progress!.othersUnchecked);
    this.progress = { ...this.progress!, outcome: 'not-bought', othersUnchecked: [], hadUnknown: true };
    await this.save(this.progress, 'APPROVED', 'VENDOR_CALL', `Reconciled: checkout attempt ${attempt} did not buy cart item ${this.itemId} (unchecked it while unpurchased)`, {
      operation: 'reconcile',
      attempt,
      outcome: 'not-bought',
    });
    return undefined;
  }

  private async unknown(err: VendorTransientError, attempt: number, othersUnchecked: number[]): Promise<never> {
    await this.save({ attempt, outcome: 'unknown', othersUnchecked: [], hadUnknown: true }, 'PURCHASING', 'VENDOR_CALL', `Checkout outcome unknown (${err.message}); settled on the next run`, {
      operation: 'checkout',
      attempt,
      outcome: 'unknown',
    });
    if (othersUnchecked.length) await this.leftUnchecked(othersUnchecked);
    throw new CheckoutOutcomeUnknownError(`CoCalc checkout of cart item ${this.itemId} (attempt ${attempt}) has an unknown outcome: ${err.message}`);
  }

  /** Audits the other items that stay unchecked because a checkout's outcome was unknown. */
  private async leftUnchecked(othersUnchecked: number[]): Promise<void> {
    await this.deps.audit.append(this.purchaseId, {
      type: 'CART_ITEMS_LEFT_UNCHECKED',
      status: 'PURCHASING',
      actor: 'system',
      message:
        `CoCalc cart items [${othersUnchecked.join(', ')}] were unchecked for this checkout and stay unchecked: a checkout whose ` +
        'outcome is unknown may still run at the vendor and would buy every checked item. Check them again in the CoCalc cart when you want them.',
      detail: { items: othersUnchecked },
    });
  }

  /** What the approver saw is what is bought: the vendor-side item may have been edited since. */
  private async compareWithApproved(item: CocalcCartItem): Promise<void> {
    const differences = differencesFromApproved(item, this.approved.description, this.approved.projectId);
    if (!differences.length) return;
    const fields = differences.map((d) => d.field).join(', ');
    await recordStep(this.deps, this.purchaseId, {
      type: 'CART_ITEM_CHANGED',
      status: 'APPROVED',
      message: `Not checking out: CoCalc cart item ${this.itemId} differs from what was approved (${fields})`,
      detail: { cartItemId: this.itemId, differences: JSON.parse(JSON.stringify(differences)) as unknown },
    });
    throw new CartItemChangedError(`CoCalc cart item ${this.itemId} was changed at the vendor after approval (${fields}); nothing was bought`);
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

  /** An earlier attempt's checkout, whose outcome was unknown, did buy our item. */
  private async reconciledBought(item: CocalcCartItem): Promise<PurchaseResult> {
    await this.step('PURCHASING', 'VENDOR_CALL', 'Reconciled: an earlier checkout attempt bought the item', { operation: 'reconcile', outcome: 'bought' });
    return this.bought(item, true);
  }

  private async bought(item: CocalcCartItem, reconciled: boolean): Promise<PurchaseResult> {
    const licenseId = item.purchased?.licenseId;
    if (!licenseId) {
      // The vendor marks the item purchased, but its record names no license: a human must look.
      throw new PurchaseOutcomeUnknownError(
        `CoCalc cart item ${this.itemId} is marked purchased but its record names no license id: find the license among the account's licenses`,
      );
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
      { licenseId, waiting: null },
    );
    return result(this.quote, this.itemId, licenseId, reconciled);
  }

  /**
   * Re-checks the other items and parks ours unchecked unless bought. Called only when this
   * attempt's outcome is known. A failure here is audited loudly but never hides the outcome.
   */
  private async restore(othersUnchecked: number[], bought: boolean): Promise<void> {
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
    for (const id of othersUnchecked) await set(true, id);
    if (failed.length) {
      await this.deps.audit.append(this.purchaseId, {
        type: 'CART_RESTORE_FAILED',
        status: bought ? 'PURCHASED' : 'APPROVED',
        actor: 'system',
        message: `Could not restore the checked state of CoCalc cart items [${failed.join(', ')}]: check them in the CoCalc cart`,
        detail: { items: failed, othersChecked: othersUnchecked },
      });
    }
  }

  private async readItem(): Promise<CocalcCartItem> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.gateway.getCartItem(this.itemId);
      } catch (err) {
        if (!(err instanceof VendorTransientError) || attempt >= READ_ATTEMPTS) {
          // Reads change nothing; while an outcome is pending the machine waits and asks again.
          if (err instanceof VendorTransientError && this.progress && this.progress.outcome !== 'not-bought') {
            throw new CheckoutOutcomeUnknownError(`CoCalc cart item ${this.itemId} could not be read: ${err.message}`);
          }
          throw err;
        }
      }
    }
  }

  private async save(
    progress: CheckoutProgress,
    status: 'PURCHASING' | 'APPROVED',
    type: string,
    message: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    this.progress = progress;
    await recordStep(this.deps, this.purchaseId, { type, status, message, detail: { cartItemId: this.itemId, ...detail } }, { checkout: progress, waiting: null });
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
    cocalc: () => cocalcGateway(),
    verifyApproval: approvalVerifier('Checkout'),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
