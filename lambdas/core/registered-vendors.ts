/**
 * procure's vendors (issue #10): the registry's list of names, one line a vendor. Every module
 * reads it as `#vendors/names` (package.json "imports"), so a build with the
 * `procure-fixture-vendor` condition reads the test fixture's longer list instead
 * (its registry folder under test/fixtures/vendors/). Each vendor here also has a line in the other
 * `#vendors/*` lists (lambdas/vendors/README.md), which the types require.
 */
export const REGISTERED_VENDORS = ['cocalc', 'interserver'] as const;

/** The vendors this file registers (in procure's own build, every vendor). */
export type RegisteredVendor = (typeof REGISTERED_VENDORS)[number];

/** How people read each vendor's name (mails, pages, the CLI). */
export const REGISTERED_LABELS: { readonly [V in RegisteredVendor]: string } = { cocalc: 'CoCalc', interserver: 'InterServer' };
