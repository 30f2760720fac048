import { DynamoRateSlots } from '../../../adapters/aws/dynamo-rate-slots';
import { vendorStepStores } from '../../../composition/stores';
import { LOCK_RECHECK_WINDOW_MS } from '../core/cart-slot';
import type { RateSlots } from '../../../core/ports';
import { documentClient } from '../../../shared/aws-clients/dynamodb';
import { tablesConfig } from '../../../shared/config';
import type { AddToCartDeps } from '../core/add-to-cart';
import { cocalcCartAddLimits } from '../shared/config';
import { cocalcGateway } from './gateway';

/**
 * What a CoCalc cart add is wired with (AddToCart, and PreparePurchase's first add): the journal,
 * the locks, the slot ledger, the gateway. Not in ./gateway.ts, which functions that only read
 * CoCalc (ListLicenses) import without the DynamoDB client.
 */
export function cartAddDeps(): AddToCartDeps {
  return { ...vendorStepStores(), slots: cartAddSlots(), cocalc: cocalcGateway };
}

/** CoCalc `shopping/cart/add` slots on the state table, shared by every AddToCart invocation. */
export function cartAddSlots(): RateSlots {
  // The defaults otherwise (RATE_SLOT_DEFAULTS). A pending slot stops holding a place once its
  // holder would have stopped rechecking a busy account lock for it.
  const options = { limits: cocalcCartAddLimits(), stalePendingMs: LOCK_RECHECK_WINDOW_MS };
  return new DynamoRateSlots(documentClient(), tablesConfig().stateTable, options);
}
