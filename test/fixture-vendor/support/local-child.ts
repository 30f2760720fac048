import { ENV } from '../../../lambdas/shared/env-names';
import { startLocalRuntime } from '../../../lib/local';
import { FIXTURE_VENDOR_URL } from '../../fixtures/vendors/fixturevendor/shared/env-names';
import { postPurchase } from '../../support/e2e-runtime';
import { FAST_BUY_RETRY, fixtureApp } from './fixture';

/**
 * procure's runtime with the Fixture Vendor registered, as a process of its own that a test can
 * kill -9 (run under the procure-fixture-vendor condition): `tsx --conditions=procure-fixture-vendor
 * local-child.ts <dataDir> <vendorUrl> <requestJson>` opens the data folder, reaches the vendor at
 * <vendorUrl>, submits the request through the API, prints "submitted <status>" and serves until
 * killed. The stand-in for `procure local`, which runs procure's own app only.
 */
export function fixtureRuntimeOptions(dataDir: string, vendorUrl: string) {
  return {
    ...fixtureApp(),
    dataDir,
    synth: 'auto' as const,
    port: 0,
    // The vendor is in another process; procure's own vendors are not used.
    sandboxes: { cocalc: false, interserver: false } as const,
    configOverrides: { [FIXTURE_VENDOR_URL]: vendorUrl, [ENV.DAILY_PURCHASE_LIMIT]: '100' },
    stateMachineOverrides: { retryIntervalOverrides: FAST_BUY_RETRY },
  };
}

async function main(): Promise<void> {
  const [dataDir, vendorUrl, requestJson] = process.argv.slice(2);
  if (!dataDir || !vendorUrl || !requestJson) throw new Error('usage: local-child.ts <dataDir> <vendorUrl> <requestJson>');
  const rt = await startLocalRuntime({ ...fixtureRuntimeOptions(dataDir, vendorUrl), log: () => {} });
  const submitted = await postPurchase(rt, JSON.parse(requestJson));
  console.log(`submitted ${submitted.status}`);
}

if (process.argv[1]?.endsWith('local-child.ts'))
  void main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
