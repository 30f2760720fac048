/**
 * procure's vendors (issue #10): the registry's list of names, one line a vendor. Every module
 * reads it as `#vendors/names` (package.json "imports"), so a build with the
 * `procure-fixture-vendor` condition reads the test fixture's longer list instead
 * (test/fixtures/vendors/fixturevendor/registry/). Each vendor here also has a line in the other
 * `#vendors/*` lists (lambdas/vendors/README.md), which the types require.
 */
export const REGISTERED_VENDORS = ['cocalc', 'interserver'] as const;
