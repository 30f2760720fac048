import { join } from 'node:path';
import { ensureSynth, type SynthResult } from '../../lib/local/synth';
import { PROJECT_DIR } from './project-dir';

/**
 * Another CDK app for the generic emulator (test/fixtures/other-app, test/e2e/runtime-emulator-profile.test.ts):
 * its own project folder, synthesized into its own cdk.out with the emulator's default watch list.
 */
export const OTHER_APP_DIR = join(PROJECT_DIR, 'test/fixtures/other-app');

/** Synthesizes the other app unless its cdk.out is fresh (test/global-setup.ts runs this first). */
export function synthOtherApp(): Promise<SynthResult> {
  return ensureSynth({ projectDir: OTHER_APP_DIR, mode: 'auto' });
}
