import type { InvocationClock } from './locks';
import { toCents } from './money';
import { reserveBudget, type ReserveBudgetDeps } from './reserve-budget';
import { validateAndQuote, type ValidateAndQuoteDeps } from './validate-and-quote';
import type { PreparationsByVendor, PreparedState, VendorPreparation } from './vendor-preparation';
import type { WorkflowState } from './workflow';

export type { PreparedState } from './vendor-preparation';

/** What PreparePurchase needs: each of its steps' own dependencies. */
export interface PreparePurchaseDeps {
  quoting: ValidateAndQuoteDeps;
  budget: ReserveBudgetDeps;
  /** What each vendor prepares before approval (core/vendor-preparation.ts). */
  preparations: PreparationsByVendor;
}

/**
 * PreparePurchase: everything before the approval, as one state of the machine (issue #11: each
 * state entered is a billed transition). In this order, each step unchanged:
 * 1. ValidateAndQuote (core/validate-and-quote.ts): parse, price, maxCost, approval tier; on a
 *    re-quote after a checkout mismatch (`$.mismatch`), the vendor's total.
 * 2. ReserveBudget (core/reserve-budget.ts): the quoted amount against the monthly cap and the
 *    day's limit, before anything reaches a vendor; adjusted on a re-quote.
 * 3. The vendor's preparation, if it has one (CoCalc: AddToCart's first attempt, parking the item
 *    in the cart, or `{ waitUntil }` when the add limit has no slot yet; vendors/cocalc/core/first-add.ts).
 *
 * Every step is safe to run again (each is idempotent per purchase), so the whole is retried as
 * one, on the errors that are safe for the add (purchase-retries.ts SAFE_TO_REPEAT); a timeout is
 * not retried: it can leave an add in flight.
 */
export async function preparePurchase(deps: PreparePurchaseDeps, state: WorkflowState, context?: InvocationClock): Promise<PreparedState> {
  const quote = await validateAndQuote(deps.quoting, state);
  let reservation = await reserveBudget(deps.budget, { ...state, quote });
  // A run again after the reservation was made finds it made, at the amount first quoted; a price
  // that moved since (InterServer's catalog) is then held as quoted, as on a re-quote.
  if (toCents(reservation.amountUsd) !== toCents(quote.amountUsd)) reservation = await reserveBudget(deps.budget, { ...state, quote, reservation });
  const prepared: PreparedState = { ...state, quote, reservation };
  const preparation = deps.preparations[quote.vendor] as VendorPreparation | null;
  if (preparation === null) return prepared;
  if (preparation?.vendor !== quote.vendor) throw new Error(`no preparation of ${quote.vendor} is wired (found ${preparation?.vendor})`);
  // Only what the vendor adds: the quote and the reservation stay the ones just made.
  const { cart } = await preparation.prepare(prepared, context);
  return { ...prepared, ...(cart ? { cart } : {}) };
}
