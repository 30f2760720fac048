import { synthFixtureVendorApp } from '../support/fixture-vendor-runtime';

/** Runs once before the fixture-vendor project's workers: its assembly, synthesized when a source is newer. */
export default async function setup(): Promise<void> {
  const r = await synthFixtureVendorApp();
  if (r.synthesized) console.log(`global setup: synthesized cdk.out.fixture-vendor in ${(r.durationMs / 1000).toFixed(1)} s`);
}
