import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RESOLVE_ENV } from '../../lib/local/cfn-template';
import { loadStack, withAssemblyReadLock } from '../../lib/local/cloud-assembly';
import { lambdasFromTemplate } from '../../lib/local/lambda-functions';
import { PROCURE_WATCH } from '../../lib/local/procure/watch';
import { ensureSynth } from '../../lib/local/synth';
import { requiredAtLoad } from '../support/bundle-contents';
import { PROJECT_DIR } from '../support/project-dir';
import { bundleLikeFunctions } from '../support/workflow-bundle';

/**
 * A vendor's library runs its module code only in a process that calls that vendor (issue #11):
 * each vendor's gateway imports its adapter when first built, so a function serving both vendors
 * (PreparePurchase, VerifyLicense, ...) loads without running undici's or soap's module code, and a
 * CoCalc purchase never runs soap's. What the libraries' module code asks Node for when it runs
 * marks it: undici's requires node:diagnostics_channel, soap's (through debug) supports-color. The
 * markers are checked first on bundles that import each adapter as the gateways did before.
 */

const MARKERS = { cocalc: 'node:diagnostics_channel', interserver: 'supports-color' } as const;
const ADAPTERS = {
  cocalc: "import { createCocalcGateway } from './lambdas/vendors/cocalc/adapters/undici-cocalc-gateway'; export const f = createCocalcGateway;",
  interserver: "import { createInterserverGateway } from './lambdas/vendors/interserver/adapters'; export const f = createInterserverGateway;",
} as const;

let dir: string;
let functions: Array<{ id: string; file: string }>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vendor-library-loading-'));
  for (const [vendor, contents] of Object.entries(ADAPTERS)) {
    await bundleLikeFunctions({ stdin: { contents, resolveDir: PROJECT_DIR, sourcefile: `${vendor}.ts`, loader: 'ts' } }, join(dir, vendor));
  }
  const { assemblyDir } = await ensureSynth({ projectDir: PROJECT_DIR, watch: PROCURE_WATCH, mode: 'auto' });
  functions = await withAssemblyReadLock(assemblyDir, () =>
    lambdasFromTemplate(loadStack(assemblyDir), DEFAULT_RESOLVE_ENV).flatMap((fn) =>
      fn.assetDir ? [{ id: fn.constructId, file: join(fn.assetDir, 'index.js') }] : [],
    ),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a vendor's library runs only when its vendor is called", () => {
  it.each(Object.keys(MARKERS) as Array<keyof typeof MARKERS>)("the marker is sound: a bundle importing %s's adapter at load asks for it", (vendor) => {
    const asked = requiredAtLoad(join(dir, vendor, 'index.js'));
    expect(asked).toContain(MARKERS[vendor]);
    const other = vendor === 'cocalc' ? MARKERS.interserver : MARKERS.cocalc;
    expect(asked).not.toContain(other);
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
