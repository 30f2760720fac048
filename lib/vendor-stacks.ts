import { REGISTERED_STACKS } from '#vendors/stacks';
import { VENDORS } from '../lambdas/core/vendors';
import type { VendorStack } from './vendor-stack';

/** The vendors' stack parts, in registry order. */
export const VENDOR_STACKS: readonly VendorStack[] = VENDORS.map((v) => REGISTERED_STACKS[v] as VendorStack);
