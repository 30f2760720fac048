import { join } from 'node:path';
import { DEFAULT_WATCH, ensureSynth, type SynthResult } from '../../lib/local/synth';
import { PROJECT_DIR } from './project-dir';

/**
 * Another CDK app for the generic emulator (test/fixtures/other-app, test/e2e/runtime-emulator-profile.test.ts):
 * its own project folder, synthesized into its own cdk.out with the emulator's default watch list.
 */
export const OTHER_APP_DIR = join(PROJECT_DIR, 'test/fixtures/other-app');

/**
 * The emulator's default watch list, and the lock file of the packages it is built with: the app
 * has no package.json of its own (it uses this repository's node_modules), so a CDK upgrade
 * synthesizes it again.
 */
export const OTHER_APP_WATCH: readonly string[] = [...DEFAULT_WATCH, '../../../package-lock.json'];

/** Synthesizes the other app unless its cdk.out is fresh (test/global-setup.ts runs this first). */
export function synthOtherApp(): Promise<SynthResult> {
  return ensureSynth({ projectDir: OTHER_APP_DIR, watch: OTHER_APP_WATCH, mode: 'auto' });
}
