import { addToCart, type AddToCartDeps } from '../core/add-to-cart';
import type { InvocationClock } from '../../../core/locks';
import type { CartRef, WorkflowState } from '../../../core/workflow';
import { cartAddDeps } from '../composition/cart-add';
import { lazyHandler } from '../../../shared/lazy-handler';

export type { AddToCartDeps } from '../core/add-to-cart';

/** AddToCart (CoCalc): the state is the input, the cart item (or when to come back) the output (../core/add-to-cart.ts). */
export function makeHandler(deps: AddToCartDeps): (state: WorkflowState, context?: InvocationClock) => Promise<CartRef> {
  return (state, context) => addToCart(deps, state, context);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): AddToCartDeps {
  return cartAddDeps();
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
