import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretArnEnv } from '../../../lambdas/shared/env-names';
import type { LocalRuntime } from '../../../lib/local';
import type { FixtureVendorSandbox } from '../../fixtures/sandboxes/fixturevendor/server';
import { secretValue } from '../../support/e2e-runtime';
import { FIXTURE_VENDOR_APP } from '../../support/fixture-vendor-runtime';
import { PROJECT_DIR } from '../../support/project-dir';

/** What the fixture-vendor tests share: the app the runtime runs, a request, the sandbox, its token, the template. */

/** The local runtime's options for procure's app with the Fixture Vendor registered (its assembly, its watch list). */
export function fixtureApp() {
  const { cdkOut, app, stackName, watch } = FIXTURE_VENDOR_APP;
  return { projectDir: PROJECT_DIR, cdkOut, app, stackName, watch: [...watch] };
}

/** BuySeats retried at once: the tests' late answers need not wait out the deployed intervals. */
export const FAST_BUY_RETRY = { BuySeats: 50 } as const;

/** A purchase request of the Fixture Vendor. */
export function fixtureRequest(requestId: string, item: unknown, reason: string) {
  return { requestId, vendor: 'fixturevendor', item, requester: { email: 'ada@example.com', name: 'Ada' }, reason };
}

/** The runtime's Fixture Vendor sandbox. */
export function fixtureSandboxOf(rt: LocalRuntime): FixtureVendorSandbox {
  return rt.sandboxes.fixturevendor as FixtureVendorSandbox;
}

/** The token the runtime's Fixture Vendor secret holds, which its sandbox accepts. */
export async function fixtureTokenOf(rt: LocalRuntime): Promise<string> {
  return (JSON.parse(await secretValue(rt, 'FixtureVendorBuy', secretArnEnv('fixturevendor'))) as { token: string }).token;
}

/** The fixture app's synthesized template. */
export function fixtureTemplate(): {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs: Record<string, unknown>;
} {
  return JSON.parse(readFileSync(join(PROJECT_DIR, FIXTURE_VENDOR_APP.cdkOut, `${FIXTURE_VENDOR_APP.stackName}.template.json`), 'utf8'));
}
