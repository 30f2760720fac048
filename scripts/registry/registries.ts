import { REGISTERED_VENDORS } from '../../lambdas/core/registered-vendors';
import { REGISTERED_VENDORS as WITH_FIXTURE } from '../../test/fixtures/vendors/fixturevendor/registry/names';
import type { Registry } from './render';

/** procure's registry: its list of vendors, their folders under lambdas/vendors/, its lists where the `#vendors/*` imports find them. */
const PROCURE_REGISTRY: Registry = {
  list: 'lambdas/core/registered-vendors.ts',
  vendors: REGISTERED_VENDORS,
  folderOf: (vendor) => `lambdas/vendors/${vendor}`,
  outOf: (facet) => facet.out,
};

/** The test-only fixture vendor's registry (the `procure-fixture-vendor` condition): procure's lists with its line added. */
const FIXTURE_REGISTRY: Registry = {
  list: 'test/fixtures/vendors/fixturevendor/registry/names.ts',
  vendors: WITH_FIXTURE,
  // Only its own vendors are read from a folder; procure's come from procure's lists (`extends`).
  folderOf: (vendor) => `test/fixtures/vendors/${vendor}`,
  outOf: (facet) => `test/fixtures/vendors/fixturevendor/registry/${facet.key}.ts`,
  extends: PROCURE_REGISTRY,
};

export const REGISTRIES: readonly Registry[] = [PROCURE_REGISTRY, FIXTURE_REGISTRY];
