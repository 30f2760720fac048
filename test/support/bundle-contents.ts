import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from '@jridgewell/sourcemap-codec';
import { DEFAULT_RESOLVE_ENV, type CfnTemplate } from '../../lib/local/cfn-template';
import { loadStack, withAssemblyReadLock, type LoadedStack } from '../../lib/local/cloud-assembly';
import { lambdasFromTemplate, type LambdaSpec } from '../../lib/local/lambda-functions';
import { PROCURE_WATCH } from '../../lib/local/procure/watch';
import { ensureSynth } from '../../lib/local/synth';
import { PROJECT_DIR } from './project-dir';
import { VENDORS, type Vendor } from '../../lambdas/core/vendor-names';
import { secretArnEnv } from '../../lambdas/shared/env-names';
import { REGISTERED_STACKS } from '#vendors/stacks';
import type { VendorStack } from '../../lib/vendor-stack';

/**
 * What a synthesized function may load and what its bundle does load, for the bundle guard
 * (test/infra/bundles.test.ts) and `npm run bench -- bundles`. What it may load comes from the
 * template, not from the handler's source: the AWS SDK clients its role can call and the vendor
 * libraries of the vendors whose secret it is given. What it loads comes from the asset: the
 * external packages `index.js` requires and the packages its source map lists as bundled.
 */

/** The library each vendor's gateway is built on (its stack part's `library`; lambdas/vendors/<vendor>/stack.ts), for the vendors that have one. */
export const VENDOR_LIBRARIES: Readonly<Partial<Record<Vendor, string>>> = Object.fromEntries(
  VENDORS.flatMap((vendor) => {
    const library = (REGISTERED_STACKS[vendor] as VendorStack).library;
    return library ? [[vendor, library]] : [];
  }),
);
export type VendorLibrary = string;

/**
 * The SDK packages a function whose role allows an IAM service prefix has a use for. Prefixes that
 * need no client in the function's code: `logs` (the runtime writes them), `sqs` (a dead-letter
 * queue the Lambda service writes to), `kms` and `xray`.
 */
const SDK_PACKAGES_BY_SERVICE: Record<string, readonly string[]> = {
  dynamodb: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
  states: ['@aws-sdk/client-sfn'],
  ses: ['@aws-sdk/client-sesv2'],
  events: ['@aws-sdk/client-eventbridge'],
  secretsmanager: ['@aws-sdk/client-secrets-manager'],
  logs: [],
  sqs: [],
  kms: [],
  xray: [],
};

/** What a function may load, by its template entry. */
export interface FunctionNeeds {
  /** `@aws-sdk/*` packages for the services its role can call. */
  sdkPackages: string[];
  /** Vendor libraries of the vendors it is given a secret for. */
  vendorLibraries: VendorLibrary[];
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The needs of the function with logical id `logicalId`, read from its role's policies and its environment. */
export function functionNeeds(template: CfnTemplate, logicalId: string): FunctionNeeds {
  const fn = template.Resources[logicalId];
  if (fn?.Type !== 'AWS::Lambda::Function') throw new Error(`${logicalId} is not a Lambda function in the template`);
  const role = (fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  const services = new Set<string>();
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    if (!list(r.Properties?.Roles as Array<{ Ref?: string }> | undefined).some((x) => x.Ref === role)) continue;
    const doc = r.Properties?.PolicyDocument as { Statement?: Array<{ Effect?: string; Action?: string | string[] }> } | undefined;
    for (const s of list(doc?.Statement)) {
      if (s.Effect !== 'Allow') continue;
      for (const action of list(s.Action)) services.add(action.split(':')[0]!);
    }
  }
  const sdkPackages = new Set<string>();
  for (const service of services) {
    const packages = SDK_PACKAGES_BY_SERVICE[service];
    if (!packages) throw new Error(`${logicalId}: no SDK package known for IAM service "${service}" (add it to SDK_PACKAGES_BY_SERVICE)`);
    for (const p of packages) sdkPackages.add(p);
  }
  const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const vendorLibraries = VENDORS.flatMap((vendor) => {
    const library = VENDOR_LIBRARIES[vendor];
    return library && secretArnEnv(vendor) in env ? [library] : [];
  });
  return { sdkPackages: [...sdkPackages].sort(), vendorLibraries };
}

/** What one bundle loads. */
export interface BundleContents {
  /** Bytes of `index.js`. */
  bytes: number;
  /**
   * The `@aws-sdk/client-*` and `lib-*` packages `index.js` loads: bundled (the source map lists
   * them) or required from outside (when a bundle leaves the SDK to the Lambda runtime).
   */
  sdkPackages: string[];
  /** `@aws-sdk/*` packages `index.js` requires from outside the bundle (the Lambda runtime's copy when deployed). */
  externalSdkPackages: string[];
  /** Packages bundled into `index.js` (from the source map's sources), with the files of each. */
  bundledPackages: Map<string, string[]>;
  /** The sources some mapping of the source map points into (the trimmed map keeps procure's own only). */
  mappedSources: string[];
}

/** The package a `node_modules/...` path belongs to (scoped or not); undefined for other paths. */
export function packageOf(path: string): string | undefined {
  // The last node_modules/ segment: a nested copy belongs to the innermost package.
  const m = /^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path.replace(/\\/g, '/'));
  return m?.[1];
}

/** Reads `index.js` and `index.js.map` of a bundle folder (the source map must be there: procure's bundles keep one). */
export function bundleContents(dir: string): BundleContents {
  const js = readFileSync(join(dir, 'index.js'), 'utf8');
  const map = JSON.parse(readFileSync(join(dir, 'index.js.map'), 'utf8')) as { sources?: string[]; mappings?: string };
  const required = [...js.matchAll(/\brequire\("(@aws-sdk\/[^"/]+)(?:\/[^"]*)?"\)/g)].map((m) => m[1]!);
  const bundledPackages = new Map<string, string[]>();
  for (const source of map.sources ?? []) {
    const pkg = packageOf(source);
    if (!pkg) continue;
    const files = bundledPackages.get(pkg) ?? [];
    files.push(source.replace(/^.*node_modules\//, ''));
    bundledPackages.set(pkg, files);
  }
  const clients = [...required, ...bundledPackages.keys()].filter((p) => /^@aws-sdk\/(client|lib)-/.test(p));
  const mapped = new Set(decode(map.mappings ?? '').flatMap((segments) => segments.filter((s) => s.length > 1).map((s) => s[1]!)));
  return {
    bytes: Buffer.byteLength(js),
    sdkPackages: [...new Set(clients)].sort(),
    externalSdkPackages: [...new Set(required)].sort(),
    bundledPackages,
    mappedSources: [...mapped].map((i) => map.sources?.[i] ?? '').sort(),
  };
}

/**
 * The modules outside the bundle (Node's built-ins, mostly) that `require(file)` asks for while the
 * file loads, in a fresh node without NODE_OPTIONS: which libraries' module code ran at load. Read
 * after the loop has turned twice, so an `import()` the file starts without awaiting counts too.
 */
export function requiredAtLoad(file: string): string[] {
  const script =
    "const M=require('node:module');const seen=new Set();const load=M._load;" +
    'M._load=function(request,...rest){seen.add(request);return load.call(this,request,...rest)};' +
    'require(process.argv[1]);' +
    "setImmediate(()=>setImmediate(()=>process.stdout.write(JSON.stringify([...seen].filter((r)=>!r.startsWith('/')).sort()))))";
  const out = execFileSync(process.execPath, ['-e', script, file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
  return JSON.parse(out) as string[];
}

/** A function of the synthesized stack with its bundle folder. */
export type BundledFunction = LambdaSpec & { assetDir: string };

/**
 * Calls `read` with procure's synthesized stack (synthesized first when stale), or the one in
 * `assemblyDir`, and its bundled functions, under the assembly's read lock, so a synth started
 * meanwhile cannot swap a bundle.
 */
export async function readBundledFunctions<T>(read: (stack: LoadedStack, functions: BundledFunction[]) => T, assemblyDirGiven?: string): Promise<T> {
  const assemblyDir = assemblyDirGiven ?? (await ensureSynth({ projectDir: PROJECT_DIR, watch: PROCURE_WATCH, mode: 'auto' })).assemblyDir;
  return withAssemblyReadLock(assemblyDir, () => {
    const stack = loadStack(assemblyDir);
    return read(
      stack,
      lambdasFromTemplate(stack, DEFAULT_RESOLVE_ENV).filter((fn): fn is BundledFunction => fn.assetDir !== undefined),
    );
  });
}
