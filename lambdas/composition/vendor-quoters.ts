// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../vendors/cocalc/composition/quoter';
import * as interserverModule from '../vendors/interserver/composition/quoter';
import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorQuoter } from '../core/vendor-quoter';

/** Each vendor's quoter (PreparePurchase, POST /quotes; `#vendors/quoters`). */
export function vendorQuoters(): { readonly [V in RegisteredVendor]: VendorQuoter<V> } {
  return { cocalc: cocalcModule.quoter(), interserver: interserverModule.quoter() };
}
