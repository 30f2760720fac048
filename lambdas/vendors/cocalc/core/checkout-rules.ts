import { purchaseIdOfItem } from './cart-tag';
import { VendorTransientError } from '../../../core/errors';
import { formatUsd, sameCents } from '../../../core/money';
import type { CheckoutProgress } from './purchase-fields';
import type { CocalcCartItem, CocalcCheckoutParams } from './ports';
import type { PurchaseResult, Quote } from '../../../core/workflow';

/**
 * Checkout's (CoCalc) decisions, pure: where a purchase's checkout stands on entry, which attempt
 * comes next, which other cart items to uncheck and whether they may be re-checked, whether the
 * vendor's checkout parameters cover exactly the approved item at the approved amount, and what a
 * checkout error means. The use case (checkout.ts) acts on them;
 * test/unit/cocalc-checkout-rules.test.ts tables them.
 */

/** Checkout attempts per purchase; a new one only after the vendor proved the last one bought nothing of ours. */
export const MAX_CHECKOUT_ATTEMPTS = 3;

/** Whether an earlier attempt's outcome is still unsettled (started or unknown, not proven not-bought). */
export function checkoutPending(progress: CheckoutProgress | undefined): boolean {
  return progress !== undefined && progress.outcome !== 'not-bought';
}

/** What Checkout does first, given whether the vendor shows our item purchased. */
export type CheckoutEntry =
  /** Purchased by this very attempt's knowledge: nothing was pending, so no reconciliation. */
  | 'bought'
  /** An earlier attempt of unknown outcome did buy it. */
  | 'reconciled-bought'
  /** An earlier attempt of unknown outcome: prove it bought nothing (uncheck ours) before a new one. */
  | 'prove-not-bought'
  /** Nothing pending: check out. */
  | 'check-out';

export function decideCheckoutEntry(itemPurchased: boolean, progress: CheckoutProgress | undefined): CheckoutEntry {
  const pending = checkoutPending(progress);
  if (itemPurchased) return pending ? 'reconciled-bought' : 'bought';
  return pending ? 'prove-not-bought' : 'check-out';
}

/** The next attempt's number, or undefined when every attempt was used (each proven not bought). */
export function nextCheckoutAttempt(progress: CheckoutProgress | undefined): number | undefined {
  const attempt = (progress?.attempt ?? 0) + 1;
  return attempt > MAX_CHECKOUT_ATTEMPTS ? undefined : attempt;
}

/** Which other items an attempt unchecks, and which of them it may check again once its outcome is known. */
export interface UncheckPlan {
  /** The other checked items now unchecked that are not tagged for a procure purchase. */
  othersChecked: number[];
  /** The ones to re-check once this attempt's outcome is known (none after any unknown outcome). */
  othersUnchecked: number[];
  /** An attempt of this purchase had an unknown outcome. */
  hadUnknown: boolean;
}

/**
 * Items tagged for a procure purchase (a duplicate of ours from a late add, an orphan) are never
 * checked again: only their own purchase's checkout may check them. After an unknown outcome
 * nothing is re-checked, ever (a late checkout would buy it).
 */
export function planUnchecking(cart: readonly CocalcCartItem[], itemId: number, progress: CheckoutProgress | undefined): UncheckPlan {
  const others = cart.filter((i) => i.id !== itemId && i.checked);
  const othersChecked = others.filter((i) => purchaseIdOfItem(i) === undefined).map((i) => i.id);
  const hadUnknown = progress?.hadUnknown === true;
  const othersUnchecked = hadUnknown ? [] : [...new Set([...(progress?.othersUnchecked ?? []), ...othersChecked])];
  return { othersChecked, othersUnchecked, hadUnknown };
}

/** Why the vendor's checkout parameters forbid checking out, if they do. */
export type CheckoutParamsProblem =
  /** Someone changed the cart's checked items under us (the lock binds procure only): no price change, so no re-quote. */
  | { kind: 'not-exactly-ours'; problem: string }
  /** The vendor's total is not the approved amount: a quote mismatch (a second approval round). */
  | { kind: 'total-differs'; problem: string; vendorTotalUsd: number };

/** The cart must be exactly our item, at exactly the approved amount. Otherwise nothing is bought. */
export function checkoutParamsProblem(params: CocalcCheckoutParams, itemId: number, approvedUsd: number): CheckoutParamsProblem | undefined {
  const ours = params.cart.find((line) => line.id === itemId);
  if (params.cart.length !== 1 || !ours) {
    return { kind: 'not-exactly-ours', problem: `the checkout would cover items [${params.cart.map((l) => l.id).join(', ')}], not exactly item ${itemId}` };
  }
  if (sameCents(params.total, approvedUsd)) return undefined;
  return {
    kind: 'total-differs',
    problem: `the vendor's total is ${formatUsd(params.total)}, the approved quote ${formatUsd(approvedUsd)}`,
    vendorTotalUsd: ours.lineItemAmount,
  };
}

/**
 * What a checkout call's error means: `unknown` (it may have bought; settled on the next run) or
 * `refused` (the vendor's transaction rolled back: insufficient credit, ...; nothing was bought).
 */
export function meaningOfCheckoutError(err: unknown): 'unknown' | 'refused' {
  return err instanceof VendorTransientError ? 'unknown' : 'refused';
}

/** Checkout's result for the state machine. */
export function checkoutResult(quote: Quote, cartItemId: number, licenseId: string, reconciled: boolean): PurchaseResult {
  return { vendor: 'cocalc', amountUsd: quote.amountUsd, licenseId, cartItemId, reconciled };
}
