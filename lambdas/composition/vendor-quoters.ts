import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorQuoter } from '../core/vendor-quoter';
import { cocalcQuoter } from '../vendors/cocalc/core/quoter';
import { interserverGateway } from '../vendors/interserver/composition/gateway';
import { interserverQuoter } from '../vendors/interserver/core/quoter';

/**
 * Each vendor's quoter (PreparePurchase, POST /quotes): the one place that lists the vendors for
 * them; a vendor's pricing itself is in its folder (core/quoter.ts). A CoCalc quote calls no
 * vendor; the InterServer gateway is built on the first InterServer quote.
 */
export function vendorQuoters(): { readonly [V in RegisteredVendor]: VendorQuoter<V> } {
  return { cocalc: cocalcQuoter, interserver: interserverQuoter(interserverGateway) };
}
