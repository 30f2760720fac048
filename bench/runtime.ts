import { UNCAPPED } from './config-overrides';
import type { Vendor } from '../lambdas/core/purchase-request';
import { EVENTS, purchaseIdFor } from '../lambdas/core/workflow';
import { decideApproval } from '../lib/cli/approval-client';
import { startLocalRuntime, type LocalRuntime, type OutboxMail } from '../lib/local';
import { PROCURE_WATCH } from '../lib/local/procure/watch';
import { ensureSynth } from '../lib/local/synth';
import { fmtMs, median, percentile, timed, type Row } from './measure';
import { cocalcRequestBody, interserverRequestBody } from './samples';

/**
 * The local runtime as `npm start` runs it: start-up time, and the latency of whole purchases
 * (event in -> approval mail -> approve over HTTP -> SUCCEEDED), per vendor.
 */

export interface StartupResults {
  synthesized: boolean;
  synthMs: number;
  runs: number;
  startMedianMs: number;
  startMinMs: number;
  startMaxMs: number;
  /** The runtime's own figure (rt.startupMs), median. */
  reportedMedianMs: number;
  closeMedianMs: number;
}

export interface LatencyResults {
  vendor: Vendor;
  /** The first purchase: every Lambda on the path starts cold. */
  coldMs: number;
  runs: number;
  medianMs: number;
  p95Ms: number;
  /** Event in -> approval mail in the outbox. */
  toMailMedianMs: number;
  /** Approve POST sent -> execution SUCCEEDED. */
  afterApprovalMedianMs: number;
  failures: string[];
}

/** The cloud assembly is made fresh first (npm start does the same), so start-up times exclude synth. */
export async function runStartup(projectDir: string, runs: number): Promise<{ results: StartupResults; rows: Row[] }> {
  const synth = await ensureSynth({ projectDir, watch: PROCURE_WATCH, mode: 'auto' });
  const starts: number[] = [];
  const reported: number[] = [];
  const closes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = await timed(() => startLocalRuntime({ projectDir, inMemory: true, synth: 'auto' }));
    starts.push(start.ms);
    reported.push(start.value.startupMs);
    closes.push((await timed(() => start.value.close())).ms);
  }
  const results: StartupResults = {
    synthesized: synth.synthesized,
    synthMs: synth.durationMs,
    runs,
    startMedianMs: median(starts),
    startMinMs: Math.min(...starts),
    startMaxMs: Math.max(...starts),
    reportedMedianMs: median(reported),
    closeMedianMs: median(closes),
  };
  const rows: Row[] = [
    {
      section: '4 start-up',
      metric: 'startLocalRuntime (in memory)',
      value: fmtMs(results.startMedianMs),
      note: `median of ${runs} (min ${fmtMs(results.startMinMs)}, max ${fmtMs(results.startMaxMs)}); cdk.out ${synth.synthesized ? `synthesized first in ${fmtMs(synth.durationMs)}` : 'already fresh'}`,
    },
    { section: '4 start-up', metric: 'close()', value: fmtMs(results.closeMedianMs), note: 'median' },
  ];
  return { results, rows };
}

/** Resolves the approval mail that mentions a marker; the outbox calls `deliver` for every mail. */
export class MailWaiter {
  private readonly waiting = new Map<string, (mail: OutboxMail) => void>();

  deliver = (mail: OutboxMail): void => {
    for (const [marker, resolve] of this.waiting) {
      if (mail.text?.includes(marker)) {
        this.waiting.delete(marker);
        resolve(mail);
      }
    }
  };

  next(marker: string, timeoutMs: number): Promise<OutboxMail> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(marker);
        reject(new Error(`no approval mail mentioning "${marker}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(marker, (mail) => {
        clearTimeout(timer);
        resolve(mail);
      });
    });
  }
}

async function purchaseOnce(
  rt: LocalRuntime,
  mails: MailWaiter,
  vendor: Vendor,
  n: number,
): Promise<{ totalMs: number; toMailMs: number; afterApprovalMs: number }> {
  const requestId = `bench-${vendor}-${n}-${process.pid}`;
  const marker = `bench run ${vendor} #${n}`;
  const body = vendor === 'cocalc' ? cocalcRequestBody(requestId, marker) : interserverRequestBody(requestId, n, marker);
  const mail = mails.next(marker, 30_000);
  const t0 = performance.now();
  rt.putEvents([{ Source: EVENTS.defaultRequestSource, DetailType: EVENTS.requested, Detail: body }]);
  const link = (await mail).links[0];
  const tMail = performance.now();
  if (!link) throw new Error('the approval mail has no link');
  const decided = await decideApproval(link, 'approve');
  if (decided.status !== 200) throw new Error(`approving answered ${decided.status}: ${decided.text}`);
  const tApproved = performance.now();
  const execution = await rt.executions.wait(purchaseIdFor(requestId), { timeoutMs: 60_000 });
  const tDone = performance.now();
  if (execution.status !== 'SUCCEEDED') throw new Error(`execution ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim());
  return { totalMs: tDone - t0, toMailMs: tMail - t0, afterApprovalMs: tDone - tApproved };
}

export async function runLatency(projectDir: string, runsPerVendor: number): Promise<{ results: LatencyResults[]; rows: Row[]; rssWithRuntimeUp: number }> {
  const mails = new MailWaiter();
  const rt = await startLocalRuntime({
    projectDir,
    inMemory: true,
    synth: 'auto',
    onMail: mails.deliver,
    // The bench measures procure, not the vendors' limits or the default budget: raise the caps,
    // the daily purchase limit, CoCalc's balance and its cart-add throttle (15 a minute).
    configOverrides: { ...UNCAPPED },
    sandboxes: { cocalc: { balance: 1_000_000, throttle: false }, interserver: {} },
  });
  try {
    const results: LatencyResults[] = [];
    for (const vendor of ['cocalc', 'interserver'] as const) {
      const failures: string[] = [];
      const totals: number[] = [];
      const toMail: number[] = [];
      const afterApproval: number[] = [];
      let coldMs = Number.NaN;
      for (let n = 0; n <= runsPerVendor; n++) {
        try {
          const r = await purchaseOnce(rt, mails, vendor, n);
          if (n === 0) {
            coldMs = r.totalMs;
            continue;
          }
          totals.push(r.totalMs);
          toMail.push(r.toMailMs);
          afterApproval.push(r.afterApprovalMs);
        } catch (err) {
          failures.push(`#${n}: ${(err as Error).message}`);
        }
      }
      results.push({
        vendor,
        coldMs,
        runs: totals.length,
        medianMs: median(totals),
        p95Ms: percentile(totals, 95),
        toMailMedianMs: median(toMail),
        afterApprovalMedianMs: median(afterApproval),
        failures,
      });
    }
    const rows: Row[] = results.flatMap((r) => {
      const section = `5 e2e ${r.vendor}`;
      const out: Row[] = [
        { section, metric: 'first purchase (cold Lambdas)', value: fmtMs(r.coldMs), note: 'event -> SUCCEEDED, approved at once over HTTP' },
        { section, metric: 'event -> SUCCEEDED, median', value: fmtMs(r.medianMs), note: `${r.runs} warm runs, one at a time` },
        { section, metric: 'event -> SUCCEEDED, p95', value: fmtMs(r.p95Ms), note: 'nearest rank' },
        {
          section,
          metric: 'event -> approval mail, median',
          value: fmtMs(r.toMailMedianMs),
          note: 'Intake, PreparePurchase, ... RequestApproval',
        },
        {
          section,
          metric: 'approve -> SUCCEEDED, median',
          value: fmtMs(r.afterApprovalMedianMs),
          note: r.vendor === 'cocalc' ? 'Checkout, VerifyLicense, RecordCompleted' : 'BuyLicense, VerifyLicense, RecordCompleted',
        },
      ];
      if (r.failures.length) out.push({ section, metric: 'FAILED runs', value: String(r.failures.length), note: r.failures.slice(0, 3).join(' | ') });
      return out;
    });
    await rt.eventsIdle();
    return { results, rows, rssWithRuntimeUp: process.memoryUsage().rss };
  } finally {
    await rt.close();
  }
}
