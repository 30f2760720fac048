import { buyInterserverLicense, type InterserverBuyDeps } from '../core/buy';
import type { InvocationClock } from '../../../core/locks';
import type { PurchaseResult, WorkflowState } from '../../../core/workflow';
import { approvalVerifier } from '../../../composition/approval';
import { interserverGateway } from '../composition/gateway';
import { vendorStepStores } from '../../../composition/stores';
import { interserverConfig } from '../shared/config';
import { lazyHandler } from '../../../shared/lazy-handler';

/** BuyLicense (InterServer): the state is the input, the purchase result the output (../core/buy.ts). */
export function makeHandler(deps: InterserverBuyDeps): (state: WorkflowState, context?: InvocationClock) => Promise<PurchaseResult> {
  return (state, context) => buyInterserverLicense(deps, state, context);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): InterserverBuyDeps {
  return {
    ...vendorStepStores(),
    interserver: interserverGateway,
    paymentPolicy: interserverConfig().paymentPolicy,
    verifyApproval: approvalVerifier('BuyLicense'),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
