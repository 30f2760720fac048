import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorLeftovers } from '../core/vendor-leftovers';
import { cocalcGateway } from '../vendors/cocalc/composition/gateway';
import { cocalcLeftovers } from '../vendors/cocalc/core/leftovers';

/**
 * What each vendor's preparation (./vendor-preparations.ts) leaves at the vendor, for
 * RecordNotCompleted and the reconciler to take back (CoCalc: its tagged cart item; InterServer
 * leaves nothing). Its own list (`#vendors/leftovers`), so that the two functions that take things
 * back bundle no preparation code; test/infra/vendor-stacks.test.ts ties it to the vendors' callers.
 */
export function vendorLeftovers(): { readonly [V in RegisteredVendor]: VendorLeftovers<V> | null } {
  return { cocalc: cocalcLeftovers(cocalcGateway), interserver: null };
}
