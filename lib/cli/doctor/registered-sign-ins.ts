// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../../../lambdas/vendors/cocalc/sign-in';
import * as interserverModule from '../../../lambdas/vendors/interserver/sign-in';
import type { RegisteredVendor } from '../../../lambdas/core/registered-vendors';
import type { VendorSignIn } from './vendor-sign-in';

/** Each vendor's read-only sign-in for `procure doctor`, or null (`#vendors/sign-ins`; only the CLI loads it). */
export const REGISTERED_SIGN_INS: { readonly [V in RegisteredVendor]: VendorSignIn<V> | null } = {
  cocalc: cocalcModule.signIn,
  interserver: interserverModule.signIn,
};
