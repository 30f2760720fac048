import { waitTimestamp } from './cart-slot';
import { addToCart, type AddToCartDeps } from '../vendors/cocalc/core/add-to-cart';
import { LockBusyError } from './errors';
import type { InvocationClock } from './locks';
import { toCents } from './money';
import { RateSlotsContendedError } from './rate-slots';
import { reserveBudget, type ReserveBudgetDeps } from './reserve-budget';
import { validateAndQuote, type ValidateAndQuoteDeps } from './validate-and-quote';
import type { CartRef, WorkflowState } from './workflow';

/** What PreparePurchase needs: each of its three steps' own dependencies. */
export interface PreparePurchaseDeps {
  quoting: ValidateAndQuoteDeps;
  budget: ReserveBudgetDeps;
  cart: AddToCartDeps;
}

/** The state PreparePurchase hands on: the input with its quote, its reservation and (CoCalc) its cart item or when to add it. */
export type PreparedState = WorkflowState & Required<Pick<WorkflowState, 'quote' | 'reservation'>>;

/**
 * PreparePurchase: everything before the approval, as one state of the machine (issue #11: each
 * state entered is a billed transition). In this order, each step unchanged:
 * 1. ValidateAndQuote (core/validate-and-quote.ts): parse, price, maxCost, approval tier; on a
 *    re-quote after a checkout mismatch (`$.mismatch`), the vendor's total.
 * 2. ReserveBudget (core/reserve-budget.ts): the quoted amount against the monthly cap and the
 *    day's limit, before anything reaches a cart; adjusted on a re-quote.
 * 3. CoCalc only, AddToCart's first attempt (vendors/cocalc/core/add-to-cart.ts): the item in the cart,
 *    parked, or `{ waitUntil }` when the add limit has no slot yet.
 *
 * Every step is safe to run again (each is idempotent per purchase), so the whole is retried as
 * one, on the errors that are safe for the add (purchase-retries.ts SAFE_TO_REPEAT); a timeout is
 * not retried: it can leave an add in flight. A busy account lock or contended slot ledger at the
 * first add did nothing at the vendor; it is not thrown (a retry would quote and reserve again)
 * but answered as a wait of about a second, after which the machine's AddToCart state, with its
 * own lock Retry, takes over.
 */
export async function preparePurchase(deps: PreparePurchaseDeps, state: WorkflowState, context?: InvocationClock): Promise<PreparedState> {
  const quote = await validateAndQuote(deps.quoting, state);
  let reservation = await reserveBudget(deps.budget, { ...state, quote });
  // A run again after the reservation was made finds it made, at the amount first quoted; a price
  // that moved since (InterServer's catalog) is then held as quoted, as on a re-quote.
  if (toCents(reservation.amountUsd) !== toCents(quote.amountUsd)) reservation = await reserveBudget(deps.budget, { ...state, quote, reservation });
  const prepared: PreparedState = { ...state, quote, reservation };
  if (quote.vendor !== 'cocalc') return prepared;
  return { ...prepared, cart: await firstAdd(deps.cart, prepared, context) };
}

/** One second from now, the soonest a Wait can bring the add back (cart-slot.ts waitTimestamp). */
const DEFER_MS = 1_000;

/** AddToCart's first attempt; a busy lock or contended ledger (nothing done) becomes a short wait instead of an error. */
async function firstAdd(deps: AddToCartDeps, state: PreparedState, context?: InvocationClock): Promise<CartRef> {
  try {
    // A re-quote enters with the earlier item (`{ itemId }`): AddToCart finds it recorded and keeps it.
    return await addToCart(deps, state, context);
  } catch (err) {
    if (!(err instanceof LockBusyError || err instanceof RateSlotsContendedError)) throw err;
    const now = (deps.clock ?? Date.now)();
    return { waitUntil: waitTimestamp(now + DEFER_MS), waits: 0 };
  }
}
