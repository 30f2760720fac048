import { cocalcSignIn } from '../../../lambdas/vendors/cocalc/sign-in';
import { interserverSignIn } from '../../../lambdas/vendors/interserver/sign-in';
import type { RegisteredVendor } from '../../../lambdas/core/registered-vendors';
import type { VendorSignIn } from './vendor-sign-in';

/**
 * Each vendor's sign-in check for `procure doctor` (its folder's sign-in.ts), by vendor: the
 * registry's list of them (`#vendors/sign-ins`), one for each vendor of `#vendors/names` (null for
 * a vendor without one), which the type requires. Only the CLI imports it: it loads the gateways.
 */
export const REGISTERED_SIGN_INS: { readonly [V in RegisteredVendor]: VendorSignIn<V> | null } = { cocalc: cocalcSignIn, interserver: interserverSignIn };
