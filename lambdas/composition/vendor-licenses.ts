// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../vendors/cocalc/composition/licenses';
import * as interserverModule from '../vendors/interserver/composition/licenses';
import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorLicenses } from '../core/vendor-licenses';

/** Each vendor's license listing over its gateway (VerifyLicense, ListLicenses; `#vendors/licenses`). */
export function vendorLicenses(): { readonly [V in RegisteredVendor]: VendorLicenses<V> } {
  return { cocalc: cocalcModule.licenses(), interserver: interserverModule.licenses() };
}
