// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import { sandbox as cocalc } from '../../../lambdas/vendors/cocalc/sandbox';
import { sandbox as interserver } from '../../../lambdas/vendors/interserver/sandbox';

/** Each vendor's sandbox part for the local runtime (`#vendors/sandboxes`; ./sandboxes.ts checks it). */
export const REGISTERED_SANDBOXES = { cocalc, interserver } as const;
