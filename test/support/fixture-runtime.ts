import { resolve } from 'node:path';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../lib/local';
import { ensureSynth } from '../../lib/local/synth';

/**
 * The local runtime on the fixture CDK app (test/fixtures/runtime-app), synthesized once into
 * cdk.out.fixture/ and reused while it is newer than the fixture's sources; the synth lock keeps
 * parallel test files from synthesizing it at the same time.
 */
export const PROJECT_DIR = resolve(__dirname, '..', '..');

export const FIXTURE_APP = {
  cdkOut: 'cdk.out.fixture',
  app: 'npx tsx test/fixtures/runtime-app/app.ts',
  watch: ['test/fixtures/runtime-app', 'lambdas/shared/table-keys.ts'],
  stackName: 'ProcureFixture',
} as const;

export async function fixtureAssembly(): Promise<string> {
  const r = await ensureSynth({ projectDir: PROJECT_DIR, outdir: FIXTURE_APP.cdkOut, app: FIXTURE_APP.app, watch: [...FIXTURE_APP.watch], mode: 'auto' });
  return r.assemblyDir;
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
    ...options,
  });
}

/** Waits until `n` mails are in the runtime's outbox. */
export async function waitForMails(rt: LocalRuntime, n: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (rt.mails.length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} mail(s), have ${rt.mails.length}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
