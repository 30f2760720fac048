import { INTERSERVER_STATES } from '../lambdas/vendors/interserver/core/states';
import { UNCAPPED, autoApproveAll } from './config-overrides';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { purchaseIdFor } from '../lambdas/core/workflow';
import { startLocalRuntime, type LocalRuntime } from '../lib/local';
import { e2eHandle, sendRequestEvent, stateItem, type E2e } from '../test/support/e2e-runtime';
import { utcMonth } from '../lambdas/adapters/aws/spend-guard-items';
import { PROJECT_DIR } from '../test/support/project-dir';
import { interserverRequest } from '../test/support/requests';
import { fmtMs, median } from './measure';
import { busyMs, portOf, recordServerRequests, type ServerRequest } from './server-requests';

/**
 * `npm run bench -- growth [--quick]`: whether procure stays flat as data grows (issue #11,
 * bullet 3), on the local runtime as `npm start` runs it (a data folder, not in memory):
 * - N InterServer purchases one after another (auto-approved; N = 1,000, `--quick` 200): the
 *   median latency (event in -> SUCCEEDED) of the first 100 and of the last 100; the same for the
 *   overhead, the latency minus the time the vendor's sandbox spent answering (as `paths` counts
 *   it), which leaves out the vendor's own growth (its listing answers with every license); the same
 *   for the latency without BuyLicense's own time (what grows with the account: it lists every
 *   license before a buy and parses the answer, the API having no lookup by IP); and the main
 *   thread's heap after a full GC after 100 and after N (the Lambdas run in worker threads with
 *   heaps of their own);
 * - BuyLicense's own time (from the execution history) over 20 purchases with the account holding
 *   about 10 licenses, then over 20 more after the sandbox was given 1,000 licenses of other IPs.
 */

export interface GrowthResults {
  purchases: number;
  latencyFirst100Ms: number;
  latencyLast100Ms: number;
  /** Latency minus the vendor sandbox's answering time, medians of the first and the last 100. */
  overheadFirst100Ms: number;
  overheadLast100Ms: number;
  /** Latency minus BuyLicense's own time, medians of the first and the last 100. */
  withoutBuyFirst100Ms: number;
  withoutBuyLast100Ms: number;
  heapAt100MiB: number;
  heapAtEndMiB: number;
  /** The month's InterServer budget counter item, as JSON bytes, after 100 and after N purchases. */
  counterAt100Bytes: number;
  counterAtEndBytes: number;
  buyLicenseAt10Ms: number;
  buyLicenseAt1000Ms: number;
  failures: string[];
}

const MiB = 1024 * 1024;

/** The main thread's heap after a full garbage collection (V8's own `gc`, exposed for this). */
function heapUsedAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Each purchase gets its own IP (the vendor allows one live license per IP and type). */
function requestFor(n: number, tag: string): Record<string, unknown> {
  return interserverRequest({
    requestId: `growth-${tag}-${n}`,
    reason: 'growth bench',
    item: { ip: `203.0.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`, licenseType: 5006 },
  });
}

/**
 * One purchase, event in -> terminal: its latency, its overhead (minus the vendor's answering time,
 * from `vendorRequests`, emptied here so the bench's own records do not grow the heap it measures),
 * and BuyLicense's time from the history.
 */
async function onePurchase(
  rt: LocalRuntime,
  n: number,
  tag: string,
  failures: string[],
  vendorRequests: ServerRequest[],
): Promise<{ ms: number; overheadMs: number; buyMs: number | undefined }> {
  const body = requestFor(n, tag);
  const id = purchaseIdFor(String(body.requestId));
  vendorRequests.length = 0;
  const t0 = performance.now();
  await sendRequestEvent(rt, body);
  const done = await rt.executions.wait(id, { timeoutMs: 60_000 });
  const ms = performance.now() - t0;
  const vendorMs = busyMs(vendorRequests);
  if (done.status !== 'SUCCEEDED') failures.push(`${id}: ${done.status} ${done.error ?? ''}`);
  const buy = rt.executions.history(id).find((s) => s.state === INTERSERVER_STATES.BuyLicense && s.type === 'StateExited');
  return { ms, overheadMs: ms - vendorMs, buyMs: buy?.durationMs };
}

export async function runGrowth(mode: 'full' | 'quick', progress: (what: string) => void): Promise<GrowthResults> {
  const n = mode === 'quick' ? 200 : 1_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'procure-growth-'));
  const rt = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    dataDir,
    synth: 'auto',
    configOverrides: {
      ...autoApproveAll(),
      ...UNCAPPED,
    },
    sandboxes: { cocalc: false, interserver: {} },
    log: () => undefined,
  });
  const failures: string[] = [];
  const e2e: E2e = e2eHandle(rt, []);
  const watched = new Set([portOf(rt.sandboxes.interserver?.url)]);
  const recorder = recordServerRequests(() => watched);
  const counterBytes = async () => JSON.stringify((await stateItem(e2e, `BUDGET#interserver#${utcMonth(new Date())}`, 'BUDGET')) ?? {}).length;
  try {
    const tag = `${process.pid}-${Date.now()}`;
    const latencies: number[] = [];
    const overheads: number[] = [];
    const withoutBuy: number[] = [];
    const buySmall: number[] = [];
    let heapAt100 = 0;
    let counterAt100 = 0;
    progress(`growth: ${n} InterServer purchases one after another`);
    for (let i = 0; i < n; i++) {
      const { ms, overheadMs, buyMs } = await onePurchase(rt, i, tag, failures, recorder.requests);
      latencies.push(ms);
      overheads.push(overheadMs);
      withoutBuy.push(ms - (buyMs ?? 0));
      if (i < 20 && buyMs !== undefined) buySmall.push(buyMs);
      if (i === 99) {
        heapAt100 = heapUsedAfterGc();
        counterAt100 = await counterBytes();
      }
      if ((i + 1) % 100 === 0) progress(`growth: ${i + 1} of ${n}`);
    }
    const heapAtEnd = heapUsedAfterGc();
    const counterAtEnd = await counterBytes();
    progress('growth: BuyLicense with 1,000 more licenses on the account');
    const sandbox = rt.sandboxes.interserver!;
    for (let i = 0; i < 1_000; i++) sandbox.state.addLicense({ license_type: 5006, license_ip: `192.0.2.${i % 250}`, license_hostname: `other-${i}` });
    const buyLarge: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { buyMs } = await onePurchase(rt, 60_000 + i, tag, failures, recorder.requests);
      if (buyMs !== undefined) buyLarge.push(buyMs);
    }
    return {
      purchases: n,
      latencyFirst100Ms: median(latencies.slice(0, 100)),
      latencyLast100Ms: median(latencies.slice(-100)),
      overheadFirst100Ms: median(overheads.slice(0, 100)),
      overheadLast100Ms: median(overheads.slice(-100)),
      withoutBuyFirst100Ms: median(withoutBuy.slice(0, 100)),
      withoutBuyLast100Ms: median(withoutBuy.slice(-100)),
      heapAt100MiB: heapAt100 / MiB,
      heapAtEndMiB: heapAtEnd / MiB,
      counterAt100Bytes: counterAt100,
      counterAtEndBytes: counterAtEnd,
      buyLicenseAt10Ms: median(buySmall),
      buyLicenseAt1000Ms: median(buyLarge),
      failures,
    };
  } finally {
    recorder.stop();
    await e2e.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatGrowth(r: GrowthResults): string {
  const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}x`;
  return [
    `purchases one after another: ${r.purchases} (InterServer, auto-approved, a data folder as npm start uses)`,
    `  latency, median of the first 100: ${fmtMs(r.latencyFirst100Ms)}; of the last 100: ${fmtMs(r.latencyLast100Ms)} (${ratio(r.latencyFirst100Ms, r.latencyLast100Ms)})`,
    `  overhead (latency minus the vendor's answering time), median of the first 100: ${fmtMs(r.overheadFirst100Ms)}; of the last 100: ${fmtMs(r.overheadLast100Ms)} (${ratio(r.overheadFirst100Ms, r.overheadLast100Ms)})`,
    `  latency without BuyLicense's own time, median of the first 100: ${fmtMs(r.withoutBuyFirst100Ms)}; of the last 100: ${fmtMs(r.withoutBuyLast100Ms)} (${ratio(r.withoutBuyFirst100Ms, r.withoutBuyLast100Ms)})`,
    `  main-thread heap after 100: ${r.heapAt100MiB.toFixed(1)} MiB; after ${r.purchases}: ${r.heapAtEndMiB.toFixed(1)} MiB (${ratio(r.heapAt100MiB, r.heapAtEndMiB)}; each after a full GC)`,
    `  budget counter item after 100: ${r.counterAt100Bytes} bytes; after ${r.purchases}: ${r.counterAtEndBytes} bytes (${ratio(r.counterAt100Bytes, r.counterAtEndBytes)}; DynamoDB's item limit is 400 KB)`,
    `BuyLicense's own time, median of 20: with ~10 licenses ${fmtMs(r.buyLicenseAt10Ms)}; with 1,000 more ${fmtMs(r.buyLicenseAt1000Ms)} (${ratio(r.buyLicenseAt10Ms, r.buyLicenseAt1000Ms)})`,
    r.failures.length ? `FAILED: ${r.failures.length} purchase(s), e.g. ${r.failures[0]}` : 'every purchase completed',
  ].join('\n');
}
