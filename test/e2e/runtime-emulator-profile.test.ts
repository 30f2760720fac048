import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type RuntimeProfile } from '../../lib/local';
import { PROJECT_DIR } from '../support/project-dir';

/**
 * The generic emulator with another app's profile (issue #10): the fixture CDK app, run by
 * startEmulator with profiles that know nothing of procure, shows what the emulator does alone and
 * what each profile hook adds.
 */
const FIXTURE = {
  projectDir: PROJECT_DIR,
  cdkOut: 'cdk.out.fixture',
  app: 'npx tsx test/fixtures/runtime-app/app.ts',
  watch: ['test/fixtures/runtime-app', 'lambdas/shared/table-keys.ts'],
  stackName: 'ProcureFixture',
  synth: 'auto' as const,
  inMemory: true,
};

describe('the generic emulator with a profile of its own', () => {
  let rt: Emulator<object> | undefined;
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
  });

  it('runs the template with a bare profile: no stand-ins, no wiring, secrets with their template values', async () => {
    rt = await startEmulator(FIXTURE, { name: 'other-app' });

    expect(basename(rt.dataDir)).toMatch(/^other-app-local-/);
    expect(rt.sandboxes).toEqual({});
    expect(rt.envOf('RequestApproval').APPROVAL_BASE_URL).not.toBe(rt.apiUrl);
    expect(await rt.invoke('EchoA', { action: 'secret' })).toEqual({ signingLength: expect.any(Number), cocalcKeys: ['apiKey', 'unused'] });
    expect(rt.interrupted).toEqual([]);
    expect(rt.resumed).toEqual([]);
  });

  it('applies each hook: secret roles, stand-ins (closed with the runtime) and their wiring', async () => {
    const closed: string[] = [];
    const profile: RuntimeProfile<{ stub: string }> = {
      name: 'other-app',
      secretRoles: () => ({ COCALC_SECRET_ARN: () => JSON.stringify({ token: 'local' }) }),
      startSandboxes: async ({ secretJson }) => ({
        view: { stub: `stub for ${secretJson('COCALC_SECRET_ARN').token}` },
        close: async () => void closed.push('stub'),
      }),
      functionWiring: ({ apiUrl, sandboxes }) => ({
        wiring: { APPROVAL_BASE_URL: apiUrl, COCALC_BASE_URL: sandboxes.stub, GREETING_URL: 'unused' },
        alongside: { GREETING_URL: 'GREETING' },
        config: { FIXTURE_DEFAULT: 'profile' },
      }),
    };

    const started = await startEmulator({ ...FIXTURE, configOverrides: { FIXTURE_DEFAULT: 'caller' } }, profile);
    rt = started;

    expect(started.sandboxes).toEqual({ stub: 'stub for local' });
    expect(started.envOf('RequestApproval').APPROVAL_BASE_URL).toBe(started.apiUrl);
    expect(started.envOf('EchoA').COCALC_BASE_URL).toBe('stub for local');
    expect(started.envOf('EchoA').GREETING_URL).toBe('unused');
    expect(started.envOf('RequestApproval').GREETING_URL).toBeUndefined();
    expect(started.envOf('EchoB').FIXTURE_DEFAULT).toBe('caller');
    expect(await started.invoke('EchoA', { action: 'secret' })).toEqual({ signingLength: expect.any(Number), cocalcKeys: ['token'] });
    await started.close();
    rt = undefined;
    expect(closed).toEqual(['stub']);
  });
});
