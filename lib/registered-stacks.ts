// Written by `npm run registry` (scripts/registry/) from the list of vendors in lambdas/core/registered-vendors.ts: edit that
// list, not this file (test/unit/vendor-registry-files.test.ts checks that they agree).
import * as cocalcModule from '../lambdas/vendors/cocalc/stack';
import * as interserverModule from '../lambdas/vendors/interserver/stack';
import type { RegisteredVendor } from '../lambdas/core/registered-vendors';
import type { VendorStack } from './vendor-stack';

/** Each vendor's CDK needs (`#vendors/stacks`; apart from the Lambda side's lists, as these import aws-cdk-lib). */
export const REGISTERED_STACKS: { readonly [V in RegisteredVendor]: VendorStack<V> } = { cocalc: cocalcModule.stack, interserver: interserverModule.stack };
