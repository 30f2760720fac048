import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorLeftovers } from '../core/vendor-leftovers';
import type { VendorPreparation } from '../core/vendor-preparation';
import { cartAddDeps } from '../vendors/cocalc/composition/cart-add';
import { cocalcGateway } from '../vendors/cocalc/composition/gateway';
import { cocalcPreparation } from '../vendors/cocalc/core/first-add';
import { cocalcLeftovers } from '../vendors/cocalc/core/leftovers';

/**
 * What each vendor prepares in PreparePurchase, before approval: the one place that lists them
 * (CoCalc parks the item in its cart; InterServer prepares nothing). A vendor's preparation itself
 * is in its folder.
 */
export function vendorPreparations(): { readonly [V in RegisteredVendor]: VendorPreparation<V> | null } {
  return { cocalc: cocalcPreparation(cartAddDeps()), interserver: null };
}

/**
 * What each vendor's preparation leaves at the vendor, for RecordNotCompleted and the reconciler to
 * take back (CoCalc: its tagged cart item; InterServer leaves nothing). Listed beside the
 * preparations: a vendor whose preparation leaves something must say here how to take it back.
 */
export function vendorLeftovers(): { readonly [V in RegisteredVendor]: VendorLeftovers<V> | null } {
  return { cocalc: cocalcLeftovers(cocalcGateway), interserver: null };
}
