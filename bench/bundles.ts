import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleContents, functionNeeds, readBundledFunctions, VENDOR_LIBRARIES } from '../test/support/bundle-contents';
import { bundleLikeFunctions } from '../test/support/workflow-bundle';
import { median, textTable } from './measure';

/**
 * `npm run bench -- bundles`: for every function in the synthesized cloud assembly, the size of its
 * bundle and the time Node takes to load it, each against a baseline this bench builds in the same
 * run: a file importing only the AWS SDK clients and the vendor library that function calls,
 * bundled with the functions' own esbuild settings (lib/constructs/workflow-function.ts). What a
 * function calls is read from the template (its role's services, the vendor secrets it is given:
 * test/support/bundle-contents.ts), never from its bundle, so a bloated bundle cannot raise its own
 * baseline.
 *
 * Load time is `require()` of index.js in a fresh `node` with the function's NODE_OPTIONS
 * (`--enable-source-maps`), the SDK packages resolved from this repository's node_modules as the
 * local runtime does. Function and baseline are loaded as a pair, in random order, one pair per
 * function per round; the ratio printed is the median of the pairs' ratios, so load on the machine
 * during one round cancels out. One untimed round first warms the file cache. Figures only:
 * targets are printed next to them, never asserted (the contents are guarded by
 * test/infra/bundles.test.ts).
 */

/** Issue #11's targets: load at most 1.2 x its baseline, size at most baseline + 150 KB. */
export const BUNDLE_TARGETS = { loadRatio: 1.2, extraBytes: 150 * 1024 } as const;

/** A named export of each package, for the baseline to import (what it imports is bundled or required whole either way). */
const IMPORT_OF: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/lib-dynamodb': 'DynamoDBDocumentClient',
  '@aws-sdk/client-sfn': 'SFNClient',
  '@aws-sdk/client-sesv2': 'SESv2Client',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-secrets-manager': 'SecretsManagerClient',
  undici: 'request',
  soap: 'createClientAsync',
};

export interface BundleFigures {
  fn: string;
  /** SDK packages and vendor libraries in the baseline: what the function calls and its bundle loads. */
  baselineImports: string[];
  /** What the bundle loads that the function does not call (should be none; test/infra/bundles.test.ts). */
  extra: string[];
  bytes: number;
  baselineBytes: number;
  runs: number;
  loadMedianMs: number;
  baselineLoadMedianMs: number;
  /** Median over the rounds of (function load / baseline load) in the same round. */
  loadRatio: number;
  withinTargets: boolean;
}

export interface BundlesOptions {
  projectDir: string;
  /** Cloud assembly to measure. @default this repository's `cdk.out`, synthesized first when stale (readBundledFunctions) */
  assemblyDir?: string;
  rounds: number;
  progress: (what: string) => void;
}

/** The vendor libraries (undici, soap): imported on first use, as the gateways import them. */
const VENDOR_LIBRARY_SET = new Set<string>(Object.values(VENDOR_LIBRARIES));

/**
 * The baseline's source: an import of each package, used so nothing is dropped. The SDK clients
 * are imported when the file loads, a vendor library when the handler first runs, as the
 * functions import them (a vendor's gateway imports its adapter when first built): the load of
 * either then leaves out the vendor library's module code alike.
 */
function baselineSource(packages: readonly string[]): string {
  const parts = packages.map((p, i) => ({ p, name: IMPORT_OF[p] ?? 'default', local: `m${i}`, lazy: VENDOR_LIBRARY_SET.has(p) }));
  const atLoad = parts.map((x) => (x.lazy ? '' : `import { ${x.name} as ${x.local} } from '${x.p}';\n`)).join('');
  const used = parts.map((x) => (x.lazy ? `(await import('${x.p}')).${x.name}` : x.local));
  return `${atLoad}export const handler = async () => [${used.join(', ')}].length;\n`;
}

/** Milliseconds `require(file)` takes in a fresh node process. */
function loadMs(file: string, nodeOptions: string | undefined): number {
  const script = 'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  const out = execFileSync(process.execPath, ['-e', script, file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(out);
  if (!Number.isFinite(ms)) throw new Error(`could not time loading ${file}: ${out}`);
  return ms;
}

interface Subject {
  fn: string;
  dir: string;
  baselineDir: string;
  nodeOptions: string | undefined;
  baselineImports: string[];
  extra: string[];
}

export async function runBundles(options: BundlesOptions): Promise<BundleFigures[]> {
  const { projectDir, rounds, progress } = options;
  // Copies next to this repository's node_modules, so requires resolve as from cdk.out, and so a
  // synth started meanwhile (tests) cannot swap a bundle between rounds.
  const work = join(projectDir, 'node_modules', '.cache', 'procure-bench', `bundles-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  try {
    const assemblyDir = options.assemblyDir && resolve(options.assemblyDir);
    const assembly = options.assemblyDir ?? 'the synthesized cdk.out';
    progress(`bundles: reading ${assembly}`);
    const subjects = await readBundledFunctions((stack, functions) => {
      const found: Subject[] = [];
      for (const spec of functions) {
        const dir = join(work, spec.constructId);
        mkdirSync(dir, { recursive: true });
        for (const f of ['index.js', 'index.js.map']) copyFileSync(join(spec.assetDir, f), join(dir, f));
        const needs = functionNeeds(stack.template, spec.logicalId);
        const contents = bundleContents(dir);
        const loaded = [...contents.sdkPackages, ...Object.values(VENDOR_LIBRARIES).filter((l) => contents.bundledPackages.has(l))];
        const may: string[] = [...needs.sdkPackages, ...needs.vendorLibraries];
        const nodeOptions = spec.rawEnvironment.NODE_OPTIONS;
        found.push({
          fn: spec.constructId,
          dir,
          baselineDir: join(work, `${spec.constructId}.baseline`),
          nodeOptions: typeof nodeOptions === 'string' ? nodeOptions : undefined,
          // What it calls and loads; what it loads without calling is the bundle's own cost.
          baselineImports: may.filter((p) => loaded.includes(p)),
          extra: loaded.filter((p) => !may.includes(p)),
        });
      }
      return found;
    }, assemblyDir);
    if (!subjects.length) throw new Error(`no bundled functions in ${assembly}`);

    progress(`bundles: building ${subjects.length} baselines`);
    for (const s of subjects) {
      const stdin = { contents: baselineSource(s.baselineImports), resolveDir: projectDir, sourcefile: 'baseline.ts', loader: 'ts' } as const;
      await bundleLikeFunctions({ stdin }, s.baselineDir);
    }

    const times = new Map(subjects.map((s) => [s.fn, { fn: [] as number[], base: [] as number[], ratio: [] as number[] }]));
    for (let round = 0; round <= rounds; round++) {
      progress(round === 0 ? 'bundles: warm-up round (untimed)' : `bundles: round ${round} of ${rounds}`);
      for (const s of shuffled(subjects)) {
        const fnFirst = Math.random() < 0.5;
        const a = loadMs(join(fnFirst ? s.dir : s.baselineDir, 'index.js'), s.nodeOptions);
        const b = loadMs(join(fnFirst ? s.baselineDir : s.dir, 'index.js'), s.nodeOptions);
        if (round === 0) continue;
        const [fnMs, baseMs] = fnFirst ? [a, b] : [b, a];
        const t = times.get(s.fn)!;
        t.fn.push(fnMs);
        t.base.push(baseMs);
        t.ratio.push(fnMs / baseMs);
      }
    }

    return subjects.map((s) => {
      const t = times.get(s.fn)!;
      const bytes = statSync(join(s.dir, 'index.js')).size;
      const baselineBytes = statSync(join(s.baselineDir, 'index.js')).size;
      const loadRatio = median(t.ratio);
      return {
        fn: s.fn,
        baselineImports: s.baselineImports,
        extra: s.extra,
        bytes,
        baselineBytes,
        runs: rounds,
        loadMedianMs: median(t.fn),
        baselineLoadMedianMs: median(t.base),
        loadRatio,
        withinTargets: loadRatio <= BUNDLE_TARGETS.loadRatio && bytes - baselineBytes <= BUNDLE_TARGETS.extraBytes,
      };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const short = (p: string) => p.replace(/^@aws-sdk\/(client-|lib-)?/, (_m, kind: string | undefined) => (kind === 'lib-' ? 'lib-' : ''));

/** The per-function table, then what the columns mean. */
export function formatBundles(figures: readonly BundleFigures[]): string {
  const header = ['function', 'size', 'baseline', 'size - baseline', 'load', 'baseline load', 'load ratio', 'targets', 'baseline imports'];
  const rows = figures.map((f) => [
    f.fn,
    kb(f.bytes),
    kb(f.baselineBytes),
    `${f.bytes - f.baselineBytes >= 0 ? '+' : ''}${kb(f.bytes - f.baselineBytes)}`,
    `${f.loadMedianMs.toFixed(1)} ms`,
    `${f.baselineLoadMedianMs.toFixed(1)} ms`,
    `${f.loadRatio.toFixed(2)}x`,
    f.withinTargets ? 'ok' : 'MISSED',
    `${f.baselineImports.map(short).join(' ') || '(none)'}${f.extra.length ? `; EXTRA: ${f.extra.map(short).join(' ')}` : ''}`,
  ]);
  const within = figures.filter((f) => f.withinTargets).length;
  return [
    textTable(header, rows, (i) => i !== 0 && i !== header.length - 1),
    '',
    `size: index.js. load: require() in a fresh node with the function's NODE_OPTIONS, median of ${figures[0]?.runs ?? 0} rounds; load ratio:`,
    'median of the per-round ratios (function and baseline loaded as a pair, random order). baseline: only the SDK',
    "clients and vendor library the function calls (from its role and secrets), bundled with the functions' settings.",
    `targets: load ratio <= ${BUNDLE_TARGETS.loadRatio}x and size <= baseline + ${kb(BUNDLE_TARGETS.extraBytes)}: ${within} of ${figures.length} within.`,
  ].join('\n');
}

/** The figures for the JSON line, with the size difference spelled out. */
export function bundlesJson(figures: readonly BundleFigures[]): unknown {
  return figures.map((f) => ({ ...f, extraBytes: f.bytes - f.baselineBytes }));
}
