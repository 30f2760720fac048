import { TEST_KEPT_IN_MEMORY } from './kept-in-memory';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../lib/local';
import { ensureSynth, type SynthResult } from '../../lib/local/synth';
import { PROJECT_DIR } from './project-dir';
import { waitFor } from './wait';

/**
 * The local runtime on the fixture CDK app (test/fixtures/runtime-app), synthesized once into
 * cdk.out.fixture/ and reused while it is newer than the fixture's sources; the synth lock keeps
 * parallel test files from synthesizing it at the same time.
 */
const FIXTURE_APP = {
  cdkOut: 'cdk.out.fixture',
  app: 'npx tsx test/fixtures/runtime-app/app.ts',
  watch: ['test/fixtures/runtime-app', 'lambdas/shared/table-keys.ts'],
  stackName: 'ProcureFixture',
} as const;

/** Synthesizes the fixture app into cdk.out.fixture/ unless it is fresh (test/global-setup.ts runs this first). */
export function synthFixture(): Promise<SynthResult> {
  return ensureSynth({ projectDir: PROJECT_DIR, outdir: FIXTURE_APP.cdkOut, app: FIXTURE_APP.app, watch: [...FIXTURE_APP.watch], mode: 'auto' });
}

export async function fixtureAssembly(): Promise<string> {
  return (await synthFixture()).assemblyDir;
}

export function startFixtureRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  return startLocalRuntime({
    projectDir: PROJECT_DIR,
    cdkOut: FIXTURE_APP.cdkOut,
    app: FIXTURE_APP.app,
    watch: [...FIXTURE_APP.watch],
    stackName: FIXTURE_APP.stackName,
    synth: 'auto',
    inMemory: true,
    sandboxes: false,
    eventRetryDelaysMs: [20, 20],
    keptInMemory: TEST_KEPT_IN_MEMORY,
    ...options,
  });
}

/** Waits until `n` mails are in the runtime's outbox. */
export async function waitForMails(rt: LocalRuntime, n: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(`${n} mail(s) in the outbox`, () => rt.mails.length >= n, timeoutMs);
}
