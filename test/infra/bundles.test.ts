import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/core/functions';
import type { FunctionId } from '../../lambdas/core/workflow';
import { isLibrarySource } from '../../lib/constructs/source-map-trim.cjs';
import { WORKFLOW_BUNDLING } from '../../lib/constructs/workflow-function';
import { bundleContents, functionNeeds, readBundledFunctions, VENDOR_LIBRARIES, type BundleContents, type FunctionNeeds } from '../support/bundle-contents';

/**
 * Each function bundles only what it runs (issue #11): checked on the synthesized assets in cdk.out,
 * the bundles that are deployed and that the local runtime runs. What a function may load is read
 * from the template (its role's services, the vendor secrets it is given), so a handler importing a
 * shared module that drags in another client or vendor library fails here, not after a deploy.
 * Contents only: the sizes and load times are `npm run bench -- bundles`.
 */

const IDS = Object.keys(FUNCTIONS) as FunctionId[];

let functions: Map<string, { needs: FunctionNeeds; bundle: BundleContents }>;

beforeAll(async () => {
  functions = await readBundledFunctions(
    (stack, bundled) =>
      new Map(bundled.map((fn) => [fn.constructId, { needs: functionNeeds(stack.template, fn.logicalId), bundle: bundleContents(fn.assetDir) }])),
  );
});

function of(id: FunctionId): { needs: FunctionNeeds; bundle: BundleContents } {
  const fn = functions.get(id);
  if (!fn) throw new Error(`no bundled function ${id} in cdk.out`);
  return fn;
}

describe('each function bundles only what it runs', () => {
  it.each(IDS)('%s carries the AWS SDK it calls inside its bundle: what the tests run is what deploys', (id) => {
    const { needs, bundle } = of(id);
    // Only the optional signer the SDK tries to require (WORKFLOW_BUNDLING says why) stays outside.
    expect(bundle.externalSdkPackages.filter((p) => !(WORKFLOW_BUNDLING.externalModules as readonly string[]).includes(p))).toEqual([]);
    expect(bundle.sdkPackages).toEqual(needs.sdkPackages.filter((p) => bundle.sdkPackages.includes(p)));
    expect(bundle.sdkPackages.length, 'every function calls at least one AWS service').toBeGreaterThan(0);
  });

  it.each(IDS)('%s loads no AWS SDK client its role cannot call', (id) => {
    const { needs, bundle } = of(id);
    const extra = bundle.sdkPackages.filter((p) => !needs.sdkPackages.includes(p));
    expect(extra, `import the client's own module (lambdas/shared/aws-clients/<client>.ts), not one that imports others`).toEqual([]);
  });

  it("reads each vendor's library from its stack part: undici for CoCalc, soap for InterServer", () => {
    expect(VENDOR_LIBRARIES).toEqual({ cocalc: 'undici', interserver: 'soap' });
  });

  it.each(IDS)('%s bundles soap only if it calls InterServer and undici only if it calls CoCalc', (id) => {
    const { needs, bundle } = of(id);
    const bundled = Object.values(VENDOR_LIBRARIES).filter((lib) => bundle.bundledPackages.has(lib));
    expect(bundled.sort(), `import the vendor's own gateway module (lambdas/vendors/<vendor>/composition/gateway.ts)`).toEqual(
      [...needs.vendorLibraries].sort(),
    );
  });

  it.each(IDS)("%s's source map maps procure's own code only, as its bundling hook trims it (lib/constructs/source-map-trim.cjs)", (id) => {
    const { bundle } = of(id);
    expect(bundle.mappedSources.filter(isLibrarySource)).toEqual([]);
    expect(
      bundle.mappedSources.some((s) => /(^|\/)lambdas\/.+\.ts$/.test(s)),
      'its own frames still map to lambdas/',
    ).toBe(true);
    expect(bundle.bundledPackages.size, 'the sources still list every library bundled').toBeGreaterThan(0);
  });

  it.each(IDS)("%s carries neither zod's classic API nor a zod locale but English", (id) => {
    const zod = of(id).bundle.bundledPackages.get('zod') ?? [];
    const unwanted = zod.filter((f) => /^zod\/v4\/classic\//.test(f) || /\/locales\/(?!en\.js$|index\.js$)/.test(f));
    expect(unwanted, 'import zod only through lambdas/core/zod.ts (zod/mini, English messages)').toEqual([]);
  });
});
