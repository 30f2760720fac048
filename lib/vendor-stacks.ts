import { cocalcStack } from '../lambdas/vendors/cocalc/stack';
import { interserverStack } from '../lambdas/vendors/interserver/stack';
import { VENDORS, type Vendor } from '../lambdas/core/vendors';
import type { VendorStack } from './vendor-stack';

/**
 * Each vendor's CDK needs (its folder's stack.ts), by vendor: one for each vendor of the registry
 * (lambdas/core/vendors.ts), which the type requires. Kept apart from that registry because the
 * Lambda bundles import it, and these parts import aws-cdk-lib.
 */
const VENDOR_STACK_OF: { readonly [V in Vendor]: VendorStack<V> } = { cocalc: cocalcStack, interserver: interserverStack };

/** The vendors' stack parts, in registry order. */
export const VENDOR_STACKS: readonly VendorStack[] = VENDORS.map((v) => VENDOR_STACK_OF[v] as VendorStack);
