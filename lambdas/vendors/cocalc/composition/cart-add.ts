import type { AddToCartDeps } from '../core/add-to-cart';
import { cocalcGateway } from './gateway';
import { cartAddSlots, vendorStepStores } from '../../../composition/stores';

/**
 * What a CoCalc cart add is wired with (AddToCart, and PreparePurchase's first add): the journal,
 * the locks, the slot ledger, the gateway. Not in ./gateway.ts, which functions that only read
 * CoCalc (ListLicenses) import without the DynamoDB client.
 */
export function cartAddDeps(): AddToCartDeps {
  return { ...vendorStepStores(), slots: cartAddSlots(), cocalc: cocalcGateway };
}
