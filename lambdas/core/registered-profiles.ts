// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import { profile as cocalc } from '../vendors/cocalc/core/profile';
import { profile as interserver } from '../vendors/interserver/core/profile';

/** The vendors' profiles (`#vendors/profiles`), in the order of `#vendors/names` (./vendors.ts checks). */
export const REGISTERED_PROFILES = [cocalc, interserver] as const;
