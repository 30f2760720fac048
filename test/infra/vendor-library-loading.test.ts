import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundledFunctions, requiredAtLoad } from '../support/bundle-contents';
import { PROJECT_DIR } from '../support/project-dir';
import { bundleLikeFunctions } from '../support/workflow-bundle';

/**
 * A vendor's library runs its module code only when its vendor is first called (issue #11): each
 * vendor's gateway imports its adapter when first built, so no function's bundle runs undici's or
 * soap's module code when it loads, not even one serving both vendors (PreparePurchase, ...). What the libraries' module code asks Node for when it runs
 * marks it: undici's requires node:diagnostics_channel, soap's (through debug) supports-color, which
 * is not installed, so debug asks for it each time. The markers are checked first: on bundles that
 * import each adapter as the gateways did before, and on one of the AWS SDK clients, which asks
 * for neither. Only loading is checked here; which vendor a call reaches is the gateways' own tests.
 */

const MARKERS = { cocalc: 'node:diagnostics_channel', interserver: 'supports-color' } as const;
const PROBES = {
  cocalc: "import { createCocalcGateway } from './lambdas/vendors/cocalc/adapters/undici-cocalc-gateway'; export const f = createCocalcGateway;",
  interserver: "import { createInterserverGateway } from './lambdas/vendors/interserver/adapters'; export const f = createInterserverGateway;",
  // Every AWS SDK client a function may load: neither marker may come from them.
  sdk: [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    "import { SESv2Client } from '@aws-sdk/client-sesv2'; import { SFNClient } from '@aws-sdk/client-sfn'; import { EventBridgeClient } from '@aws-sdk/client-eventbridge';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    'export const f = [DynamoDBClient, SecretsManagerClient, SESv2Client, SFNClient, EventBridgeClient, DynamoDBDocumentClient];',
  ].join('\n'),
} as const;

let dir: string;
let functions: Array<{ id: string; file: string }>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vendor-library-loading-'));
  await Promise.all(
    Object.entries(PROBES).map(([probe, contents]) =>
      bundleLikeFunctions({ stdin: { contents, resolveDir: PROJECT_DIR, sourcefile: `${probe}.ts`, loader: 'ts' } }, join(dir, probe)),
    ),
  );
  functions = await readBundledFunctions((_stack, bundled) => bundled.map((fn) => ({ id: fn.constructId, file: join(fn.assetDir, 'index.js') })));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a vendor's library runs only when its vendor is called", () => {
  it.each(Object.keys(MARKERS) as Array<keyof typeof MARKERS>)("the marker is sound: a bundle importing %s's adapter at load asks for it", (vendor) => {
    const asked = requiredAtLoad(join(dir, vendor, 'index.js'));
    expect(asked).toContain(MARKERS[vendor]);
    const other = vendor === 'cocalc' ? MARKERS.interserver : MARKERS.cocalc;
    expect(asked).not.toContain(other);
  });

  it('the markers are sound: the AWS SDK clients the functions load ask for neither', () => {
    const asked = requiredAtLoad(join(dir, 'sdk', 'index.js'));
    expect(asked.length, 'the SDK asks Node for its own modules').toBeGreaterThan(0);
    expect(asked.filter((m) => Object.values<string>(MARKERS).includes(m))).toEqual([]);
  });

  it('every function loads without running either library (its gateway imports the adapter when first built)', () => {
    expect(functions.length).toBeGreaterThan(10);
    const ran = functions.flatMap(({ id, file }) =>
      requiredAtLoad(file)
        .filter((m) => Object.values<string>(MARKERS).includes(m))
        .map((m) => `${id}: ${m}`),
    );
    expect(ran).toEqual([]);
  });
});
