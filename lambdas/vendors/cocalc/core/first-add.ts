import { waitTimestamp } from './cart-slot';
import { LockBusyError } from '../../../core/errors';
import type { InvocationClock } from '../../../core/locks';
import { RateSlotsContendedError } from '../../../core/rate-slots';
import type { PreparedState, VendorPreparation } from '../../../core/vendor-preparation';
import type { CartRef } from '../../../core/workflow';
import { addToCart, type AddToCartDeps } from './add-to-cart';

/** One second from now, the soonest a Wait can bring the add back (./cart-slot.ts waitTimestamp). */
const DEFER_MS = 1_000;

/**
 * CoCalc's preparation: AddToCart's first attempt (./add-to-cart.ts) in PreparePurchase, so a
 * purchase is parked in the cart (unchecked) by the time it is approved, or `{ waitUntil }` when
 * the add limit has no slot yet. A busy account lock or contended slot ledger did nothing at the
 * vendor; it is not thrown (a retry would quote and reserve again) but answered as a wait of
 * about a second, after which the machine's AddToCart state, with its own lock Retry, takes over.
 */
export function cocalcPreparation(deps: AddToCartDeps): VendorPreparation<'cocalc'> {
  return { vendor: 'cocalc', prepare: async (state, context) => ({ cart: await firstAdd(deps, state, context) }) };
}

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
