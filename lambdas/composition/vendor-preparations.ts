import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorPreparation } from '../core/vendor-preparation';
import { cartAddDeps } from '../vendors/cocalc/composition/cart-add';
import { cocalcPreparation } from '../vendors/cocalc/core/first-add';

/**
 * What each vendor prepares in PreparePurchase, before approval: the one place that lists them
 * (CoCalc parks the item in its cart; InterServer prepares nothing). A vendor's preparation itself
 * is in its folder.
 */
export function vendorPreparations(): { readonly [V in RegisteredVendor]: VendorPreparation<V> | null } {
  return { cocalc: cocalcPreparation(cartAddDeps()), interserver: null };
}
