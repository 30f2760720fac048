// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../../../lambdas/vendors/cocalc/sandbox';
import * as interserverModule from '../../../lambdas/vendors/interserver/sandbox';

/** Each vendor's sandbox part for the local runtime (`#vendors/sandboxes`; lib/local/procure/sandboxes.ts checks it). */
export const REGISTERED_SANDBOXES = { cocalc: cocalcModule.sandbox, interserver: interserverModule.sandbox } as const;
