import type { RegisteredVendor } from '../core/registered-vendors';
import type { VendorLicenses } from '../core/vendor-licenses';
import { cocalcGateway } from '../vendors/cocalc/composition/gateway';
import { cocalcLicenses } from '../vendors/cocalc/core/licenses';
import { interserverGateway } from '../vendors/interserver/composition/gateway';
import { interserverLicenses } from '../vendors/interserver/core/licenses';

/**
 * Each vendor's license listing over its gateway (VerifyLicense, ListLicenses): the one place that
 * lists the vendors for them; a vendor's listing itself is in its folder (core/licenses.ts).
 */
export function vendorLicenses(): { readonly [V in RegisteredVendor]: VendorLicenses<V> } {
  return { cocalc: cocalcLicenses(cocalcGateway), interserver: interserverLicenses(interserverGateway) };
}
