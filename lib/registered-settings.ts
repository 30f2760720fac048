import { cocalcSettings } from '../lambdas/vendors/cocalc/settings';
import { interserverSettings } from '../lambdas/vendors/interserver/settings';
import type { RegisteredVendor } from '../lambdas/core/registered-vendors';
import type { VendorSetting } from './vendor-setting';

/**
 * Each vendor's configuration settings (its folder's settings.ts), by vendor: the registry's list of
 * them (`#vendors/settings`), one for each vendor of `#vendors/names`, which the type requires.
 * Apart from `#vendors/stacks` because the configuration and the CLI read these without aws-cdk-lib.
 */
export const REGISTERED_SETTINGS = { cocalc: cocalcSettings, interserver: interserverSettings } as const satisfies {
  readonly [V in RegisteredVendor]: Readonly<Record<string, VendorSetting>>;
};
