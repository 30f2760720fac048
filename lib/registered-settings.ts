// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../lambdas/vendors/cocalc/settings';
import * as interserverModule from '../lambdas/vendors/interserver/settings';
import type { RegisteredVendor } from '../lambdas/core/registered-vendors';
import type { VendorSetting } from './vendor-setting';

/** Each vendor's configuration settings (`#vendors/settings`; read by the configuration and the CLI without aws-cdk-lib). */
export const REGISTERED_SETTINGS = { cocalc: cocalcModule.settings, interserver: interserverModule.settings } as const satisfies {
  readonly [V in RegisteredVendor]: Readonly<Record<string, VendorSetting>>;
};
