// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../vendors/cocalc/composition/preparation';
import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorPreparation } from '../core/vendor-preparation';

/** What each vendor prepares in PreparePurchase before approval, or null (`#vendors/preparations`). */
export function vendorPreparations(): { readonly [V in RegisteredVendor]: VendorPreparation<V> | null } {
  return { cocalc: cocalcModule.preparation(), interserver: null };
}
