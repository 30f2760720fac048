import { PROCURE_WATCH } from '../lib/local/procure/watch';
import { ensureSynth } from '../lib/local/synth';
import { synthFixture } from './support/fixture-runtime';
import { synthOtherApp } from './support/other-app';
import { PROJECT_DIR } from './support/project-dir';

/**
 * Runs once, before any test worker: synthesizes procure's cloud assembly (cdk.out), the fixture
 * app's (cdk.out.fixture) and the other app's (test/fixtures/other-app/cdk.out) when a source is newer, so the e2e files that each start a local runtime
 * (synth: 'auto') find them fresh instead of queueing on the synth lock inside their hook timeouts.
 * One after the other: two synths at once would only fight over the cores.
 */
export default async function setup(): Promise<void> {
  const r = await ensureSynth({ projectDir: PROJECT_DIR, watch: PROCURE_WATCH, mode: 'auto' });
  if (r.synthesized) console.log(`global setup: synthesized cdk.out in ${(r.durationMs / 1000).toFixed(1)} s`);
  const f = await synthFixture();
  if (f.synthesized) console.log(`global setup: synthesized cdk.out.fixture in ${(f.durationMs / 1000).toFixed(1)} s`);
  const o = await synthOtherApp();
  if (o.synthesized) console.log(`global setup: synthesized the other app in ${(o.durationMs / 1000).toFixed(1)} s`);
}
