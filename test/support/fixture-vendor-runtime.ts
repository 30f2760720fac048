import { PROCURE_WATCH } from '../../lib/local/procure/watch';
import { ensureSynth, type SynthResult } from '../../lib/local/synth';
import { PROJECT_DIR } from './project-dir';

/**
 * procure's own CDK app with the fixture vendor registered (test/fixtures/vendors/fixturevendor/
 * app.ts, run under the procure-fixture-vendor condition), synthesized into cdk.out.fixture-vendor/
 * and reused while it is newer than its sources: what procure's own assembly is built from, the
 * fixture vendor's folder, and this file (which holds the app command).
 */
export const FIXTURE_VENDOR_APP = {
  cdkOut: 'cdk.out.fixture-vendor',
  app: 'npx tsx --conditions=procure-fixture-vendor test/fixtures/vendors/fixturevendor/app.ts',
  stackName: 'ProcureFixtureVendor',
  watch: [
    ...PROCURE_WATCH.filter((p) => p !== 'bin/app.ts'),
    'lib/procure-app.ts',
    'test/fixtures/vendors/fixturevendor',
    'test/support/fixture-vendor-runtime.ts',
  ],
} as const;

/** Synthesizes the fixture vendor's app unless it is fresh (the fixture-vendor project's global setup runs this first). */
export function synthFixtureVendorApp(): Promise<SynthResult> {
  const { cdkOut, app, watch } = FIXTURE_VENDOR_APP;
  return ensureSynth({ projectDir: PROJECT_DIR, outdir: cdkOut, app, watch: [...watch], mode: 'auto' });
}
