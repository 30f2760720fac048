import type { AuditKind } from '../../../core/audit-kinds';
import type { CheckoutDeps } from './checkout-deps';
import { differencesFromApproved, type tagDescription } from './cart-tag';
import {
  checkoutParamsProblem,
  checkoutPending,
  checkoutResult,
  decideCheckoutEntry,
  MAX_CHECKOUT_ATTEMPTS,
  meaningOfCheckoutError,
  nextCheckoutAttempt,
  planUnchecking,
} from './checkout-rules';
import { PurchaseOutcomeUnknownError } from '../../../core/errors';
import { CartItemChangedError, CheckoutOutcomeUnknownError } from './errors';
import { VendorRejectedError, VendorTransientError } from '../../../core/errors';
import { formatUsd } from '../../../core/money';
import type { CheckoutProgress } from './purchase-fields';
import type { CocalcCartItem, CocalcCheckoutParams, CocalcGateway } from './ports';
import { recordStep } from '../../../core/purchase-journal';
import { quoteMismatchError } from '../../../core/quote-mismatch';
import type { PurchaseResult, Quote } from '../../../core/workflow';

// The CoCalc checkout of one cart item under the account lock (checkOut in checkout.ts takes
// the lock and explains the protocol); the decisions are in checkout-rules.ts.

/** Reads are safe to repeat; a read gets this many tries before the step gives up for now. */
const READ_ATTEMPTS = 3;

/** What the approver approved of the cart item: its tagged description and its project. */
export interface Approved {
  description: ReturnType<typeof tagDescription>;
  projectId: string | undefined;
}

/** One invocation's checkout of one cart item, under the account lock. */
export class CheckoutRun {
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
    const entry = decideCheckoutEntry(Boolean(item.purchased), this.progress);
    if (entry === 'reconciled-bought') return this.reconciledBought(item);
    if (entry === 'bought') return this.bought(item, false);
    if (entry === 'prove-not-bought') {
      const settled = await this.proveNotBought();
      if (settled) return settled;
    }
    const attempt = nextCheckoutAttempt(this.progress);
    if (attempt === undefined) {
      throw new VendorTransientError(`CoCalc checkout failed ${MAX_CHECKOUT_ATTEMPTS} times; the vendor's records show nothing was bought`);
    }
    await this.compareWithApproved(item);
    return this.attemptCheckout(attempt);
  }

  /** One new attempt: only our item checked, the vendor's own parameters verified, then the checkout and what it did. */
  private async attemptCheckout(attempt: number): Promise<PurchaseResult> {
    const { othersChecked, othersUnchecked, hadUnknown } = planUnchecking(await this.gateway.getCart(), this.itemId, this.progress);
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
    const started = { operation: 'checkout', attempt, amountUsd: this.quote.amountUsd };
    await this.save(
      { attempt, outcome: 'started', othersUnchecked, ...keep },
      'PURCHASING',
      'VENDOR_CALL',
      `Checking out cart item ${this.itemId} (attempt ${attempt})`,
      started,
    );
    try {
      await this.gateway.checkout();
    } catch (err) {
      if (meaningOfCheckoutError(err) === 'unknown') return this.unknown(err as VendorTransientError, attempt, othersUnchecked);
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
    await this.save(
      this.progress,
      'APPROVED',
      'VENDOR_CALL',
      `Reconciled: checkout attempt ${attempt} did not buy cart item ${this.itemId} (unchecked it while unpurchased)`,
      {
        operation: 'reconcile',
        attempt,
        outcome: 'not-bought',
      },
    );
    return undefined;
  }

  private async unknown(err: VendorTransientError, attempt: number, othersUnchecked: number[]): Promise<never> {
    await this.save(
      { attempt, outcome: 'unknown', othersUnchecked: [], hadUnknown: true },
      'PURCHASING',
      'VENDOR_CALL',
      `Checkout outcome unknown (${err.message}); settled on the next run`,
      {
        operation: 'checkout',
        attempt,
        outcome: 'unknown',
      },
    );
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
    const found = checkoutParamsProblem(params, this.itemId, this.quote.amountUsd);
    if (!found) return;
    const { problem } = found;
    if (found.kind === 'not-exactly-ours') {
      await this.step('APPROVED', 'CHECKOUT_REFUSED', `Not checking out: ${problem}`, { cart: params.cart });
      throw new VendorRejectedError(`CoCalc checkout stopped: ${problem}`);
    }
    await this.step('APPROVED', 'QUOTE_MISMATCH', `Not checking out: ${problem}`, {
      vendorTotalUsd: found.vendorTotalUsd,
      approvedUsd: this.quote.amountUsd,
      cart: params.cart,
    });
    throw quoteMismatchError(found.vendorTotalUsd, this.quote.amountUsd, problem);
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
    return checkoutResult(this.quote, this.itemId, licenseId, reconciled);
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
        this.deps.log?.warn('could not restore a cart item', { itemId: id, checked, error: (err as Error).message });
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
          if (err instanceof VendorTransientError && checkoutPending(this.progress)) {
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
    type: AuditKind,
    message: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    this.progress = progress;
    await this.step(status, type, message, detail, { checkout: progress, waiting: null });
  }

  private step(
    status: 'PURCHASING' | 'APPROVED',
    type: AuditKind,
    message: string,
    detail: Record<string, unknown>,
    patch?: Parameters<typeof recordStep>[3],
  ): Promise<void> {
    return recordStep(this.deps, this.purchaseId, { type, status, message, detail: { cartItemId: this.itemId, ...detail } }, patch);
  }
}
