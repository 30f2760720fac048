// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../vendors/cocalc/core/profile';
import * as interserverModule from '../vendors/interserver/core/profile';

/** The vendors' profiles (`#vendors/profiles`), in the order of `#vendors/names` (lambdas/core/vendors.ts checks). */
export const REGISTERED_PROFILES = [cocalcModule.profile, interserverModule.profile] as const;
