import { ensureSynth } from '../lib/local/synth';
import { PROJECT_DIR } from './support/fixture-runtime';

/**
 * Runs once, before any test worker: synthesizes procure's cloud assembly when a source is newer
 * than cdk.out, so the e2e files that each start a local runtime (synth: 'auto') find it fresh
 * instead of queueing on cdk.out.lock inside their hook timeouts.
 */
export default async function setup(): Promise<void> {
  const r = await ensureSynth({ projectDir: PROJECT_DIR, mode: 'auto' });
  if (r.synthesized) console.log(`global setup: synthesized cdk.out in ${(r.durationMs / 1000).toFixed(1)} s`);
}
