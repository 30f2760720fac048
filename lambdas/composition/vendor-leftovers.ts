// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../vendors/cocalc/composition/leftovers';
import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorLeftovers } from '../core/vendor-leftovers';

/** What each vendor's preparation leaves at the vendor, for RecordNotCompleted and the reconciler to take back, or null (`#vendors/leftovers`; a list of its own, so those two bundle no preparation code). */
export function vendorLeftovers(): { readonly [V in RegisteredVendor]: VendorLeftovers<V> | null } {
  return { cocalc: cocalcModule.leftovers(), interserver: null };
}
