import { cocalcStack } from '../lambdas/vendors/cocalc/stack';
import { interserverStack } from '../lambdas/vendors/interserver/stack';
import type { RegisteredVendor } from '../lambdas/core/registered-vendors';
import type { VendorStack } from './vendor-stack';

/**
 * Each vendor's CDK needs (its folder's stack.ts), by vendor: the registry's list of them
 * (`#vendors/stacks`), one for each vendor of `#vendors/names`, which the type requires. Kept apart
 * from the Lambda side's lists because the bundles import those, and these parts import aws-cdk-lib.
 */
export const REGISTERED_STACKS: { readonly [V in RegisteredVendor]: VendorStack<V> } = { cocalc: cocalcStack, interserver: interserverStack };
