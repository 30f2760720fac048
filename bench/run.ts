import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { PROJECT_DIR } from '../test/support/project-dir';
import { BURST_PLANS, burstClean, formatBursts, runBursts } from './burst';
import { bundlesJson, formatBundles, runBundles } from './bundles';
import { formatGrowth, runGrowth } from './growth';
import { fmtMiB, formatTable, type Row } from './measure';
import { runMicro } from './micro';
import { runPathsBench } from './paths';
import { formatPaths } from './paths-report';
import { runLatency, runStartup } from './runtime';
import { runSpendGuard } from './spend-guard';

/**
 * `npm run bench [-- --quick]`: prints figures for procure's hot paths and the local runtime, as a
 * table and then one JSON line (for comparing runs). Nothing is asserted: timings depend on the
 * machine. Offline; about 30-40 s (`--quick`: about 20 s), plus a synth first when cdk.out is stale.
 *
 * `npm run bench -- burst [--quick]` runs only the burst bench (bench/burst.ts): CoCalc N = 5, 20,
 * 40 (`--quick`: 5 and 20) and InterServer N = 20 purchases at once against the vendors' real
 * limits, each after a warm-up burst of the same N; about 12 minutes (`--quick`: about 7). `--cocalc 5` (or `5,40`) runs only those CoCalc
 * bursts. It exits non-zero when a purchase did not complete, the vendor answered "too many
 * requests", or the vendor's records disagree. The burst's log file (named in the report when a
 * burst is not clean) ends with each CoCalc burst purchase's timeline.
 *
 * `npm run bench -- bundles [--quick] [--cdk-out DIR]` runs only the bundle bench (bench/bundles.ts):
 * each function's bundle size and module-load time against a baseline built in the same run (only
 * the SDK clients and vendor library the function calls), 15 paired rounds (`--quick`: 5); about
 * 2 minutes (`--quick`: 40 s). `--cdk-out` measures another synthesized assembly (e.g. one built
 * from an older commit), whose bundles resolve their SDK packages from this repository.
 *
 * `npm run bench -- growth [--quick]` runs only the growth bench (bench/growth.ts): latency and
 * heap over 1,000 purchases one after another (`--quick`: 200), and BuyLicense's time with ~10 and
 * with 1,000 more licenses on the account; about 5 minutes (`--quick`: about 1).
 *
 * `npm run bench -- paths [--quick]` runs only the paths bench (bench/paths.ts): per purchase path
 * (approved per vendor, auto-approved, rejected, expired, invalid), DynamoDB calls, Step Functions
 * transitions, Lambda invocations, workflow overhead and the AWS list-price cost, against issue
 * #11's targets; 3 rounds per path (`--quick`: 1), about a minute (`--quick`: about 30 s).
 */

interface Plan {
  microMs: number;
  startupRuns: number;
  purchasesPerVendor: number;
  reservations: number;
}

const PLANS: Record<'full' | 'quick', Plan> = {
  full: { microMs: 1000, startupRuns: 5, purchasesPerVendor: 10, reservations: 400 },
  quick: { microMs: 250, startupRuns: 2, purchasesPerVendor: 3, reservations: 100 },
};

/** JSON replacer: figures to two decimals (cents stay exact, timings lose only noise). */
function twoDecimals(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value;
}

const progress = (what: string) => process.stderr.write(`bench: ${what}...\n`);

/** `flag VALUE` taken out of `args`: whether it was there, its value, and the other arguments. */
function takeOption(args: string[], flag: string): { given: boolean; value?: string; rest: string[] } {
  const at = args.indexOf(flag);
  if (at < 0) return { given: false, rest: args };
  const value = args[at + 1];
  return { given: true, ...(value !== undefined ? { value } : {}), rest: args.filter((_, i) => i !== at && i !== at + 1) };
}

async function main(argv: string[]): Promise<void> {
  const cdkOutOption = takeOption(argv, '--cdk-out');
  const cdkOut = cdkOutOption.value;
  const cocalcOption = takeOption(cdkOutOption.rest, '--cocalc');
  const cocalcNs = cocalcOption.given ? (cocalcOption.value ?? '').split(',').map(Number) : undefined;
  const rest = cocalcOption.rest;
  const unknown = rest.filter((a) => a !== '--quick' && a !== 'burst' && a !== 'bundles' && a !== 'growth' && a !== 'paths');
  const usage = 'usage: npm run bench [-- [burst [--cocalc N[,N...]] | bundles [--cdk-out DIR] | growth | paths] [--quick]]';
  if (unknown.length) throw new Error(`unknown argument(s): ${unknown.join(' ')} (${usage})`);
  if (cdkOutOption.given && (!cdkOut || !rest.includes('bundles'))) throw new Error(`--cdk-out DIR goes with bundles (${usage})`);
  if (cocalcNs && (!rest.includes('burst') || !cocalcNs.every((n) => Number.isInteger(n) && n > 0)))
    throw new Error(`--cocalc N[,N...] goes with burst (${usage})`);
  const mode = argv.includes('--quick') ? 'quick' : 'full';
  if (rest.includes('burst')) return burst(mode, cocalcNs);
  if (rest.includes('bundles')) return bundles(mode, cdkOut);
  if (rest.includes('growth')) return growth(mode);
  if (rest.includes('paths')) return paths(mode);
  const plan = PLANS[mode];
  const t0 = performance.now();

  progress('domain code (quote, validation, approval links)');
  const micro = runMicro(plan.microMs);
  progress('spend guard on dynalite');
  const guard = await runSpendGuard(plan.reservations);
  progress('local runtime start-up');
  const startup = await runStartup(PROJECT_DIR, plan.startupRuns);
  progress('purchases end to end');
  const latency = await runLatency(PROJECT_DIR, plan.purchasesPerVendor);

  const mem = process.memoryUsage();
  const memoryRows: Row[] = [
    {
      section: '7 memory',
      metric: 'RSS with the runtime up',
      value: fmtMiB(latency.rssWithRuntimeUp),
      note: `after ${plan.purchasesPerVendor * 2 + 2} purchases (worker thread per Lambda included)`,
    },
    { section: '7 memory', metric: 'RSS at the end', value: fmtMiB(mem.rss), note: `everything closed; heap used ${fmtMiB(mem.heapUsed)}` },
  ];
  const rows = [...micro.rows, ...startup.rows, ...latency.rows, ...guard.rows, ...memoryRows];
  const totalMs = performance.now() - t0;
  const cpu = cpus()[0]?.model ?? 'unknown cpu';

  process.stdout.write(`procure bench (${mode}) on node ${process.version}, ${availableParallelism()} x ${cpu}\n\n`);
  process.stdout.write(`${formatTable(rows)}\n\n`);
  process.stdout.write(`total ${(totalMs / 1000).toFixed(1)} s\n`);
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'procure',
        mode,
        node: process.version,
        cpus: availableParallelism(),
        totalMs: Math.round(totalMs),
        micro: micro.results,
        startup: startup.results,
        latency: latency.results,
        spendGuard: guard.results,
        memory: { rssWithRuntimeUp: latency.rssWithRuntimeUp, rssEnd: mem.rss, heapUsedEnd: mem.heapUsed },
      },
      twoDecimals,
    )}\n`,
  );
}

/** The commit measured, "+dirty" when the working tree differs from it (others may be editing it). */
function commitMeasured(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_DIR, encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** The burst bench alone: its table, a verdict line, then one JSON line. */
async function burst(mode: 'full' | 'quick', cocalcNs?: number[]): Promise<void> {
  const commit = commitMeasured();
  const t0 = performance.now();
  const results = await runBursts(cocalcNs ? { cocalc: cocalcNs, interserver: [] } : BURST_PLANS[mode], progress);
  const totalMs = performance.now() - t0;
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const dirty = results.filter((r) => !burstClean(r));
  process.stdout.write(`procure burst bench (${mode}) at ${commit} on node ${process.version}, ${availableParallelism()} x ${cpu}\n\n`);
  process.stdout.write(`${formatBursts(results)}\n\n`);
  process.stdout.write(`total ${(totalMs / 1000).toFixed(1)} s\n`);
  process.stdout.write(
    dirty.length
      ? `NOT CLEAN: ${dirty.map((r) => `${r.vendor} N=${r.n}`).join(', ')} (a purchase did not complete, the vendor refused an add, or its records disagree)\n`
      : 'clean: every purchase completed, no rate-limit answer, each bought once at the vendor\n',
  );
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'procure-burst',
        mode,
        commit,
        node: process.version,
        cpus: availableParallelism(),
        totalMs: Math.round(totalMs),
        clean: dirty.length === 0,
        bursts: results.map(({ logFile: _logFile, ...r }) => r),
      },
      twoDecimals,
    )}\n`,
  );
  if (dirty.length) process.exitCode = 1;
}

/** The growth bench alone: its lines, then one JSON line. */
async function growth(mode: 'full' | 'quick'): Promise<void> {
  const commit = commitMeasured();
  const t0 = performance.now();
  const results = await runGrowth(mode, progress);
  const totalMs = performance.now() - t0;
  process.stdout.write(
    `procure growth bench (${mode}) at ${commit} on node ${process.version}, ${availableParallelism()} cpus\n\n${formatGrowth(results)}\n\n`,
  );
  process.stdout.write(`total ${(totalMs / 1000).toFixed(1)} s\n`);
  process.stdout.write(
    `${JSON.stringify({ bench: 'procure-growth', mode, commit, node: process.version, totalMs: Math.round(totalMs), ...results }, twoDecimals)}\n`,
  );
  if (results.failures.length) process.exitCode = 1;
}

/** The paths bench alone: its tables, then one JSON line. */
async function paths(mode: 'full' | 'quick'): Promise<void> {
  const commit = commitMeasured();
  const t0 = performance.now();
  const loadBefore = loadavg()[0]!;
  const results = await runPathsBench(mode, progress);
  const totalMs = performance.now() - t0;
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  // Timings stretch on a loaded machine (counts do not): the 1-minute load average says how loaded.
  const load = `load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`;
  process.stdout.write(
    `procure paths bench (${mode}) at ${commit} on node ${process.version}, ${availableParallelism()} x ${cpu}, ${load}\n\n${formatPaths(results)}\n\n`,
  );
  process.stdout.write(`total ${(totalMs / 1000).toFixed(1)} s\n`);
  process.stdout.write(
    `${JSON.stringify({ bench: 'procure-paths', mode, commit, node: process.version, cpus: availableParallelism(), totalMs: Math.round(totalMs), paths: results.map(({ cost, ...r }) => ({ ...r, costMicroUsd: Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, v * 1e6])) })) }, twoDecimals)}\n`,
  );
}

/** Paired rounds of the bundle bench. */
const BUNDLE_ROUNDS: Record<'full' | 'quick', number> = { full: 15, quick: 5 };

/** The bundle bench alone: its table, then one JSON line. */
async function bundles(mode: 'full' | 'quick', cdkOut: string | undefined): Promise<void> {
  const commit = commitMeasured();
  const t0 = performance.now();
  const figures = await runBundles({ projectDir: PROJECT_DIR, ...(cdkOut ? { assemblyDir: cdkOut } : {}), rounds: BUNDLE_ROUNDS[mode], progress });
  const totalMs = performance.now() - t0;
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const of = cdkOut ? `${cdkOut} (bench at ${commit})` : commit;
  process.stdout.write(`procure bundle bench (${mode}) at ${of} on node ${process.version}, ${availableParallelism()} x ${cpu}\n\n`);
  process.stdout.write(`${formatBundles(figures)}\n\n`);
  process.stdout.write(`total ${(totalMs / 1000).toFixed(1)} s\n`);
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'procure-bundles',
        mode,
        commit,
        ...(cdkOut ? { cdkOut } : {}),
        node: process.version,
        cpus: availableParallelism(),
        totalMs: Math.round(totalMs),
        bundles: bundlesJson(figures),
      },
      twoDecimals,
    )}\n`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
