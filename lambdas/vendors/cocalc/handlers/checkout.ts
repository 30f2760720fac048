import { checkOut } from '../core/checkout';
import type { CheckoutDeps } from '../core/checkout-deps';
import type { InvocationClock } from '../../../core/locks';
import type { PurchaseResult, WorkflowState } from '../../../core/workflow';
import { approvalVerifier } from '../../../composition/approval';
import { cocalcGateway } from '../composition/gateway';
import { vendorStepStores } from '../../../composition/stores';
import { lazyHandler } from '../../../shared/lazy-handler';
import { logger } from '../../../shared/logger';

export { MAX_CHECKOUT_ATTEMPTS } from '../core/checkout-rules';

/** Checkout (CoCalc): the state is the input, the purchase result the output (../core/checkout.ts). */
export function makeHandler(deps: CheckoutDeps): (state: WorkflowState, context?: InvocationClock) => Promise<PurchaseResult> {
  const withLog: CheckoutDeps = { log: logger, ...deps };
  return (state, context) => checkOut(withLog, state, context);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): CheckoutDeps {
  return {
    ...vendorStepStores(),
    cocalc: cocalcGateway,
    verifyApproval: approvalVerifier('Checkout'),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
