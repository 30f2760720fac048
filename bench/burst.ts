import { UNCAPPED, autoApproveAll } from './config-overrides';
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { purchaseIdOfItem } from '../lambdas/vendors/cocalc/core/cart-tag';
import type { Vendor } from '../lambdas/core/purchase-request';
import { purchaseIdFor, STATE } from '../lambdas/core/workflow';
import { startLocalRuntime, type LocalRuntime } from '../lib/local';
import { auditTrail, cocalcAccountOf, e2eHandle, purchaseRecord, sendRequestEvent, stateItem, type E2e } from '../test/support/e2e-runtime';
import { PROJECT_DIR } from '../test/support/project-dir';
import { fmtMs, median, textTable } from './measure';
import { cocalcRequestBody, interserverRequestBody } from './samples';
import { vendorEarliestAdds, waitUntilWindowsClear } from './vendor-bound';

/**
 * `npm run bench -- burst`: N purchases submitted at once (auto-approved), on a fresh local runtime
 * per burst with the CoCalc sandbox's `shopping/cart/add` throttle at the vendor's real limits
 * (3/s, 15/min, 200/h). Per burst: the time until all N executions are terminal, the vendor bound
 * (the earliest the vendor's sliding windows admit the N-th add, plus one purchase's own
 * duration), their ratio, how many completed, the vendor's "too many requests" answers, and what
 * the vendor's own records say was bought. Nothing is asserted; the caller exits non-zero when a
 * purchase did not complete, the vendor refused an add, or the vendor's records disagree.
 */

export interface BurstPlan {
  cocalc: number[];
  interserver: number[];
}

export const BURST_PLANS: Record<'full' | 'quick', BurstPlan> = {
  full: { cocalc: [5, 20, 40], interserver: [20] },
  quick: { cocalc: [5, 20], interserver: [20] },
};

export interface BurstResult {
  vendor: Vendor;
  n: number;
  /** First event put -> the last of the N executions terminal. */
  completionMs: number;
  /** One purchase alone on the same runtime just before the burst (median of two, after the warm-up). */
  soloMs: number;
  /** CoCalc: the earliest time the vendor's windows admit the N-th add of a burst starting at 0. */
  nthAddEarliestMs?: number;
  /** CoCalc: nthAddEarliestMs + soloMs. */
  boundMs?: number;
  ratio?: number;
  /** First event put -> the last of the N executions started (event delivery and Intake). */
  lastStartMs: number;
  /** CoCalc: when the vendor recorded the burst's last add, from the first event put. */
  lastAddAtVendorMs?: number;
  /** CoCalc: how the adds were paced, from the vendor's and procure's own records. */
  pacing?: Pacing;
  completed: number;
  /** Purchase status (or execution status when no record) -> count, for those not COMPLETED. */
  notCompleted: Record<string, number>;
  /** "too many requests" answers of the CoCalc sandbox during the burst (0 for InterServer). */
  rateLimitAnswers: number;
  /** Licenses the vendor holds for the burst's purchases. */
  licensesAtVendor: number;
  /** The vendor's records agree with procure's: one license per COMPLETED purchase, none and no cart leftover for the others. */
  vendorAgrees: boolean;
  /** Vendor-side findings that disagree with procure's records (empty when all agree). */
  vendorProblems: string[];
  /** Retries and waits the executions went through (state:error -> count). */
  retries: Record<string, number>;
  cartSlotWaits: number;
  /** Purchases that went to WaitForCartSlot more than once (a missed or refused slot, then a new one). */
  rewaitedPurchases: number;
  /** Where the slowest execution spent its time: state -> ms from entering to leaving it (retry waits included). */
  slowest: { purchaseId: string; totalMs: number; byStateMs: Record<string, number> };
  /** 1-minute load average of the machine when the burst started and when it ended. */
  loadAvg: [number, number];
  /** Purchases that did not complete, grouped by what failed and why (ids taken out), with one example id. */
  failures: Array<{ count: number; example: string; what: string }>;
  /** The cold burst of N run first on the fresh runtime to warm its Lambdas (its failures count too). */
  warmUp: { n: number; completionMs: number; lastStartMs: number; completed: number; rateLimitAnswers: number; failures: BurstResult['failures'] };
  /** Every runtime and handler log line of this burst, for investigating failures. */
  logFile: string;
}

/**
 * Extra wait after the vendor's windows clear: procure's slot ledger counts an add whose answer it
 * did not record as arriving up to 1 s after its claim (lambdas/core/rate-slots.ts), and widens
 * its schedule by a margin, so it may see earlier adds a little longer.
 */
const LEDGER_MARGIN_MS = 2_500;

// ---- one runtime per burst -------------------------------------------------------------------

async function startBurstRuntime(logs: string[], warmEnvironments: number): Promise<E2e> {
  const rt = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    inMemory: true,
    synth: 'auto',
    // The warm-up burst's environments stay for the measured burst (see WARM-UP below).
    lambdaMaxIdle: warmEnvironments,
    // Auto-approve every purchase and raise the caps, the daily limit and the balance: the burst
    // measures queueing at the vendor's limit, not the budget. The retry waits stay the template's.
    configOverrides: {
      ...autoApproveAll(),
      ...UNCAPPED,
    },
    // The CoCalc cart/add throttle ON at the vendor's real limits and windows (3/s, 15/min, 200/h).
    sandboxes: { cocalc: { balance: 1_000_000, throttle: true }, interserver: {} },
    log: (line) => logs.push(`${new Date().toISOString()} ${line}`),
  });
  return e2eHandle(rt, logs);
}

/** Every execution gets this long beyond the vendor bound before the bench gives up on it. */
const EXECUTION_GRACE_MS = 180_000;

let serial = 0;

function requestBody(vendor: Vendor, requestId: string, n: number): Record<string, unknown> {
  return vendor === 'cocalc' ? cocalcRequestBody(requestId, `burst bench ${requestId}`) : interserverRequestBody(requestId, n, `burst bench ${requestId}`);
}

/** Puts the purchases' events at once; resolves with each one's end time (performance.now()). */
async function submitAtOnce(
  rt: LocalRuntime,
  vendor: Vendor,
  ns: readonly number[],
  timeoutMs: number,
): Promise<{ t0: number; wallT0: number; ids: string[]; ends: number[] }> {
  const tag = `${process.pid}-${Date.now()}-${serial++}`;
  const requestIds = ns.map((n) => `burst-${vendor}-${tag}-${n}`);
  const ids = requestIds.map(purchaseIdFor);
  const wallT0 = Date.now();
  const t0 = performance.now();
  const waits = ids.map((id) =>
    rt.executions.wait(id, { timeoutMs }).then(
      () => performance.now(),
      () => Number.NaN,
    ),
  );
  await Promise.all(requestIds.map((requestId, i) => sendRequestEvent(rt, requestBody(vendor, requestId, ns[i]!))));
  return { t0, wallT0, ids, ends: await Promise.all(waits) };
}

/** One purchase alone, event in -> execution terminal (ms); throws when it did not succeed. */
async function purchaseAlone(e2e: E2e, vendor: Vendor, n: number): Promise<number> {
  const { t0, ids, ends } = await submitAtOnce(e2e.rt, vendor, [n], 120_000);
  const record = e2e.rt.executions.describe(ids[0]!);
  if (record?.status !== 'SUCCEEDED')
    throw new Error(`the solo ${vendor} purchase ended ${record?.status ?? 'unknown'}: ${record?.error ?? ''} ${record?.cause ?? ''}`.trim());
  return ends[0]! - t0;
}

/** `runs` purchases one after another, each alone; their median duration. */
async function measureSolo(e2e: E2e, vendor: Vendor, runs: number, firstN: number): Promise<number> {
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Spaced so that no solo add waits for the vendor's per-second window.
    await new Promise((r) => setTimeout(r, 1_100));
    durations.push(await purchaseAlone(e2e, vendor, firstN + i));
  }
  return median(durations);
}

// ---- reading the outcome back ----------------------------------------------------------------

/** CoCalc add pacing of a burst (ms from the first event put). */
export interface Pacing {
  /** Every burst add the vendor accepted, in order (its `added` time). */
  addsAtVendorMs: number[];
  /** For each of those adds: how long after its claim in the ledger the vendor received it (null: no claim found). */
  latenessMs: Array<number | null>;
  /** The longest of those. */
  maxLatenessMs: number;
  /** Accepted adds that reached the vendor more than 1 s after their claim. */
  lateAdds: number;
  /** Those late adds: their claim, when the add (PreparePurchase's first, or AddToCart's) audited CART_ADD_STARTED (after the claim, before the HTTP call), and the vendor's time. */
  lateAddTimes: Array<{ purchaseId: string; claimMs: number; startedMs: number | null; addedMs: number }>;
  /** Purchases that started an add more than once (CART_ADD_STARTED audit entries): refused or retried adds. */
  repeatedAdds: Array<{ purchaseId: string; addStartedMs: number[]; claimsMs: number[]; addedMs: number | null }>;
}

interface Outcome {
  completed: number;
  completedIds: Set<string>;
  notCompleted: Record<string, number>;
  failures: string[];
  retries: Record<string, number>;
  cartSlotWaits: number;
  rewaitedPurchases: number;
  slowest: BurstResult['slowest'];
}

/**
 * Time per state of one execution: from entering a state to leaving it for good, so retries and
 * the waits between them count (a retried attempt fails, waits, and enters the state again).
 */
function timePerState(rt: LocalRuntime, id: string): BurstResult['slowest'] {
  const history = rt.executions.history(id);
  const open = new Map<string, { since: number; lastFailed?: number }>();
  const byStateMs: Record<string, number> = {};
  const close = (state: string, at: number) => {
    const o = open.get(state);
    if (o) byStateMs[state] = (byStateMs[state] ?? 0) + at - o.since;
    open.delete(state);
  };
  for (const step of history) {
    if (!step.state) continue;
    if (step.type === 'StateEntered' && !open.has(step.state)) open.set(step.state, { since: step.timestamp });
    const o = open.get(step.state);
    if (step.type === 'StateFailed' && o) o.lastFailed = step.timestamp;
    if (step.type === 'StateExited' || step.type === 'StateCaught') close(step.state, step.timestamp);
  }
  // A state whose last attempt failed uncaught ended the execution then.
  for (const [state, o] of open) close(state, o.lastFailed ?? o.since);
  const totalMs = history.length ? history.at(-1)!.timestamp - history[0]!.timestamp : 0;
  return { purchaseId: id, totalMs, byStateMs };
}

/** Retries per state and the error that caused them (a StateFailed right before each StateRetried). */
function retriesOf(rt: LocalRuntime, id: string, into: Record<string, number>): void {
  const lastError = new Map<string, string>();
  for (const step of rt.executions.history(id)) {
    if (!step.state) continue;
    if (step.type === 'StateFailed') lastError.set(step.state, step.error ?? '?');
    if (step.type === 'StateRetried') {
      const key = `${step.state}:${lastError.get(step.state) ?? '?'}`;
      into[key] = (into[key] ?? 0) + 1;
    }
  }
}

async function outcomeOf(e2e: E2e, ids: readonly string[]): Promise<Outcome> {
  const out: Outcome = {
    completed: 0,
    completedIds: new Set(),
    notCompleted: {},
    failures: [],
    retries: {},
    cartSlotWaits: 0,
    rewaitedPurchases: 0,
    slowest: { purchaseId: '', totalMs: -1, byStateMs: {} },
  };
  for (const id of ids) {
    const times = timePerState(e2e.rt, id);
    if (times.totalMs > out.slowest.totalMs) out.slowest = times;
    const execution = e2e.rt.executions.describe(id);
    const record = await purchaseRecord(e2e, id);
    const status = String(record?.status ?? `execution ${execution?.status ?? 'never started'}`);
    retriesOf(e2e.rt, id, out.retries);
    const waits = e2e.rt.executions.history(id).filter((s) => s.state === STATE.WaitForCartSlot && s.type === 'StateEntered').length;
    out.cartSlotWaits += waits;
    if (waits > 1) out.rewaitedPurchases += 1;
    if (status === 'COMPLETED' && execution?.status === 'SUCCEEDED') {
      out.completed += 1;
      out.completedIds.add(id);
      continue;
    }
    out.notCompleted[status] = (out.notCompleted[status] ?? 0) + 1;
    const trail = await auditTrail(e2e, id);
    const last = trail.at(-1);
    const failedSteps = [
      ...new Set(
        e2e.rt.executions
          .history(id)
          .filter((s) => s.type === 'StateFailed' && s.state !== STATE.PurchaseNotCompleted)
          .map((s) => `${s.state}: ${s.error ?? ''} ${(s.cause ?? '').slice(0, 200)}`.trim()),
      ),
    ];
    out.failures.push(
      [
        `${id}: purchase ${status}${record?.reason ? ` (${String(record.reason)})` : ''}`,
        `execution ${execution?.status ?? 'none'}${execution?.error ? ` ${execution.error}` : ''}`,
        `last audit entry ${last ? `${last.type} ${JSON.stringify(last.detail ?? {}).slice(0, 300)}` : 'none'}`,
        ...(failedSteps.length ? [`failed steps: ${failedSteps.join(' | ')}`] : []),
      ].join('; '),
    );
  }
  return out;
}

interface VendorTruth {
  licenses: number;
  problems: string[];
}

/**
 * CoCalc's own records for the burst: a COMPLETED purchase has exactly one purchased cart item
 * tagged with its id, naming a license the account holds (and no two share one); any other
 * purchase has none, and nothing of it is left in the cart.
 */
function cocalcVendorTruth(e2e: E2e, ids: readonly string[], completed: ReadonlySet<string>): VendorTruth {
  const account = cocalcAccountOf(e2e);
  const problems: string[] = [];
  const licenseIds: string[] = [];
  for (const id of ids) {
    const items = account.cart.filter((i) => purchaseIdOfItem(i as never) === id);
    const bought = items.filter((i) => i.purchased?.license_id);
    const want = completed.has(id) ? 1 : 0;
    if (bought.length !== want)
      problems.push(`${id} (${completed.has(id) ? 'COMPLETED' : 'not completed'}): ${bought.length} purchased cart items at the vendor`);
    const left = items.filter((i) => !i.purchased && !i.removed);
    if (left.length)
      problems.push(`${id}: ${left.length} cart item(s) left in the cart, neither bought nor removed (checked: ${left.map((i) => i.checked).join(', ')})`);
    for (const b of bought) licenseIds.push(b.purchased!.license_id!);
  }
  const held = new Set(account.licenses.map((l) => l.id));
  const missing = licenseIds.filter((l) => !held.has(l));
  if (missing.length) problems.push(`license ids named by cart items but absent at the vendor: ${missing.join(', ')}`);
  if (new Set(licenseIds).size !== licenseIds.length) problems.push('one license is named by several purchases');
  return { licenses: licenseIds.length, problems };
}

/** Audit entry type an add (PreparePurchase's first, AddToCart's after a wait) writes right before it sends (lambdas/vendors/cocalc/core/add-to-cart.ts). */
const ADD_STARTED = 'CART_ADD_STARTED';
/**
 * How long after its claim an add reached the vendor before the bench calls it late: procure's
 * ledger counts an unanswered add as in flight up to RATE_SLOT_DEFAULTS.inFlightMs (20 s), but an
 * add is answered within moments; one that took over a second shows a loaded machine.
 */
const ARRIVAL_BOUND_MS = 1_000;

/**
 * How the burst's adds were paced: the vendor's accepted add times, each against its claim in
 * procure's ledger (state table SLOTS#cocalc-cart-add, holders `used:<purchaseId>`, `sentAt`), and
 * the purchases that started an add more than once.
 */
async function cocalcPacing(e2e: E2e, ids: readonly string[], wallT0: number): Promise<Pacing> {
  const wanted = new Set(ids);
  const added = new Map<string, number>();
  for (const item of cocalcAccountOf(e2e).cart) {
    const id = purchaseIdOfItem(item as never);
    if (id && wanted.has(id)) added.set(id, Date.parse(item.added) - wallT0);
  }
  const ledger = (await stateItem(e2e, 'SLOTS#cocalc-cart-add', 'SLOTS'))?.slots as Array<{ at: number; holder: string; sentAt?: number }> | undefined;
  const usedBy = new Map<string, number[]>();
  for (const slot of ledger ?? []) {
    if (!slot.holder.startsWith('used:')) continue;
    const id = slot.holder.slice('used:'.length);
    if (wanted.has(id))
      usedBy.set(
        id,
        [...(usedBy.get(id) ?? []), (slot.sentAt ?? slot.at) - wallT0].sort((a, b) => a - b),
      );
  }
  const startedBy = new Map<string, number[]>();
  for (const id of ids)
    startedBy.set(
      id,
      (await auditTrail(e2e, id)).filter((a) => a.type === ADD_STARTED).map((a) => Date.parse(a.at) - wallT0),
    );
  const adds = [...added].sort(([, a], [, b]) => a - b);
  const claimOf = (id: string, at: number) => (usedBy.get(id) ?? []).filter((u) => u <= at).at(-1);
  const latenessMs = adds.map(([id, at]) => {
    const slot = claimOf(id, at);
    return slot === undefined ? null : at - slot;
  });
  const known = latenessMs.filter((l): l is number => l !== null);
  const lateAddTimes = adds
    .filter((_, i) => (latenessMs[i] ?? 0) > ARRIVAL_BOUND_MS)
    .map(([id, at]) => ({
      purchaseId: id,
      claimMs: claimOf(id, at)!,
      startedMs: (startedBy.get(id) ?? []).filter((t) => t <= at).at(-1) ?? null,
      addedMs: at,
    }));
  const repeatedAdds: Pacing['repeatedAdds'] = [];
  for (const [id, started] of startedBy) {
    if (started.length > 1) repeatedAdds.push({ purchaseId: id, addStartedMs: started, claimsMs: usedBy.get(id) ?? [], addedMs: added.get(id) ?? null });
  }
  return {
    addsAtVendorMs: adds.map(([, at]) => at),
    latenessMs,
    maxLatenessMs: known.length ? Math.max(...known) : 0,
    lateAdds: lateAddTimes.length,
    lateAddTimes,
    repeatedAdds,
  };
}

/**
 * One line per purchase of a CoCalc burst, in the order the vendor recorded their adds (ms from
 * the first event put): each state's entry (+ its time in it), the audit trail's entries, the
 * purchase's slot-ledger entries (slot, claim, answer) and when the vendor recorded its add.
 */
async function cocalcTimelines(e2e: E2e, ids: readonly string[], wallT0: number): Promise<string[]> {
  const addedAt = new Map<string, number>();
  for (const item of cocalcAccountOf(e2e).cart) {
    const id = purchaseIdOfItem(item as never);
    if (id) addedAt.set(id, Date.parse(item.added) - wallT0);
  }
  const ledger = ((await stateItem(e2e, 'SLOTS#cocalc-cart-add', 'SLOTS'))?.slots ?? []) as Array<{
    at: number;
    holder: string;
    sentAt?: number;
    settledAt?: number;
  }>;
  const rel = (t: number | undefined) => (t === undefined ? '-' : String(Math.round(t - wallT0)));
  const lines = ['timelines (ms from the first event put):'];
  const order = [...ids].sort((a, b) => (addedAt.get(a) ?? Infinity) - (addedAt.get(b) ?? Infinity));
  for (const id of order) {
    const states = e2e.rt.executions
      .history(id)
      .filter((s) => s.state && (s.type === 'StateEntered' || s.type === 'StateRetried' || s.type === 'StateFailed'))
      .map((s) => `${s.type === 'StateEntered' ? '' : s.type === 'StateRetried' ? 'retry ' : 'failed '}${s.state}@${rel(s.timestamp)}`);
    const audit = (await auditTrail(e2e, id)).map((a) => `${a.type}@${rel(Date.parse(a.at))}`);
    const slots = ledger
      .filter((s) => s.holder === id || s.holder === `used:${id}`)
      .map((s) => `slot ${rel(s.at)} claim ${rel(s.sentAt)} answer ${rel(s.settledAt)}`);
    lines.push(`${id}: vendor add ${addedAt.has(id) ? String(addedAt.get(id)) : 'none'}; ${slots.join('; ')} | ${states.join(' ')} | ${audit.join(' ')}`);
  }
  return lines;
}

/** The server IP of the bench's InterServer request number n. */
function interserverIpOf(n: number): string {
  return (interserverRequestBody('ip', n).item as { ip: string }).ip;
}

/** InterServer's own records: one license for the IP of each COMPLETED purchase, none for the others. */
function interserverVendorTruth(e2e: E2e, ips: ReadonlyMap<string, string>, completed: ReadonlySet<string>): VendorTruth {
  const sandbox = e2e.rt.sandboxes.interserver;
  if (!sandbox) throw new Error('the InterServer sandbox is not running');
  const problems: string[] = [];
  let licenses = 0;
  for (const [id, ip] of ips) {
    const rows = sandbox.state.licenses.filter((l) => l.license_ip === ip);
    licenses += rows.length;
    const want = completed.has(id) ? 1 : 0;
    if (rows.length !== want) problems.push(`${id} (${completed.has(id) ? 'COMPLETED' : 'not completed'}): ${rows.length} licenses for ${ip} at the vendor`);
  }
  return { licenses, problems };
}

// ---- the bursts ------------------------------------------------------------------------------

/**
 * WARM-UP: each burst first runs a burst of the same N on cold Lambdas, and its runtime keeps N idle
 * environments per function (lambdaMaxIdle), so the measured burst starts warm, as the solo run
 * it is compared with does. On AWS the N environments of a cold burst start in parallel, each on
 * its own share of a machine, in about one cold start; here they share two cores and N cold starts
 * take seconds of CPU one after another, which would measure this machine rather than procure.
 * The warm-up burst's own figures (cold) are printed too.
 */

/** What one set of purchases submitted at once came to. */
interface Submitted {
  ids: string[];
  wallT0: number;
  completionMs: number;
  lastStartMs: number;
  rateLimitAnswers: number;
  outcome: Outcome;
  loadAvg: [number, number];
}

async function submitAndRead(e2e: E2e, vendor: Vendor, ns: readonly number[], timeoutMs: number): Promise<Submitted> {
  const rejectionsBefore = e2e.rt.sandboxes.cocalc?.rateLimitRejections() ?? 0;
  const loadAtStart = loadavg()[0]!;
  const { t0, wallT0, ids, ends } = await submitAtOnce(e2e.rt, vendor, ns, timeoutMs);
  const loadAtEnd = loadavg()[0]!;
  await e2e.rt.eventsIdle();
  const starts = ids.map((id) => Date.parse(e2e.rt.executions.describe(id)?.startDate ?? '') - wallT0);
  return {
    ids,
    wallT0,
    completionMs: ends.some(Number.isNaN) ? Number.NaN : Math.max(...ends) - t0,
    lastStartMs: Math.max(...starts),
    rateLimitAnswers: (e2e.rt.sandboxes.cocalc?.rateLimitRejections() ?? 0) - rejectionsBefore,
    outcome: await outcomeOf(e2e, ids),
    loadAvg: [loadAtStart, loadAtEnd],
  };
}

function grouped(failures: readonly string[]): BurstResult['failures'] {
  return [...groupFailures(failures)].map(([what, ids]) => ({ count: ids.length, example: ids[0]!, what }));
}

/**
 * One burst on a fresh runtime: a cold warm-up burst of N (WARM-UP), two solo purchases (their
 * median is "one purchase's own duration"), a wait until every earlier add has left the vendor's
 * windows (so the bound is an idle account's), then N at once.
 */
async function runOneBurst(vendor: Vendor, n: number, progress: (what: string) => void): Promise<BurstResult> {
  const logs: string[] = [];
  const logFile = join(tmpdir(), `procure-bench-burst-${vendor}-${n}-${process.pid}.log`);
  const e2e = await startBurstRuntime(logs, n);
  try {
    // Request numbers: warm-up 100.., solo 200.., burst 0.. (for InterServer, distinct IPs).
    progress(`  warm-up: ${n} at once on cold Lambdas`);
    const warm = await submitAndRead(
      e2e,
      vendor,
      Array.from({ length: n }, (_, i) => 100 + i),
      EXECUTION_GRACE_MS + vendorEarliestAdds(n).at(-1)!,
    );
    const soloMs = await measureSolo(e2e, vendor, 2, 200);
    const nthAddEarliestMs = vendor === 'cocalc' ? vendorEarliestAdds(n).at(-1)! : undefined;
    if (vendor === 'cocalc') {
      const now = Date.now();
      const waitMs = waitUntilWindowsClear(
        n,
        cocalcAccountOf(e2e).cart.map((i) => Date.parse(i.added) - now),
      );
      if (waitMs > 0) {
        progress(`  waiting ${((waitMs + LEDGER_MARGIN_MS) / 1000).toFixed(1)} s for the earlier adds to leave the vendor's windows`);
        await new Promise((r) => setTimeout(r, waitMs + LEDGER_MARGIN_MS));
      }
    }
    const boundMs = nthAddEarliestMs === undefined ? undefined : nthAddEarliestMs + soloMs;
    progress(`  ${n} ${vendor} purchases at once${boundMs ? ` (vendor bound ${fmtMs(boundMs)})` : ''}`);
    const burstNs = Array.from({ length: n }, (_, i) => i);
    const burst = await submitAndRead(e2e, vendor, burstNs, (boundMs ?? 0) + EXECUTION_GRACE_MS);
    const { outcome, ids } = burst;
    let truth: VendorTruth;
    let pacing: Pacing | undefined;
    if (vendor === 'cocalc') {
      truth = cocalcVendorTruth(e2e, ids, outcome.completedIds);
      pacing = await cocalcPacing(e2e, ids, burst.wallT0);
      logs.push(...(await cocalcTimelines(e2e, ids, burst.wallT0)));
      progress(`  timelines of the burst's purchases in ${logFile}`);
    } else {
      truth = interserverVendorTruth(e2e, new Map(ids.map((id, i) => [id, interserverIpOf(burstNs[i]!)])), outcome.completedIds);
    }
    return {
      vendor,
      n,
      completionMs: burst.completionMs,
      lastStartMs: burst.lastStartMs,
      soloMs,
      ...(nthAddEarliestMs !== undefined ? { nthAddEarliestMs } : {}),
      ...(boundMs !== undefined ? { boundMs, ratio: burst.completionMs / boundMs } : {}),
      ...(pacing?.addsAtVendorMs.length ? { lastAddAtVendorMs: pacing.addsAtVendorMs.at(-1)! } : {}),
      ...(pacing ? { pacing } : {}),
      completed: outcome.completed,
      notCompleted: outcome.notCompleted,
      rateLimitAnswers: burst.rateLimitAnswers,
      licensesAtVendor: truth.licenses,
      vendorAgrees: truth.problems.length === 0,
      vendorProblems: truth.problems,
      retries: outcome.retries,
      cartSlotWaits: outcome.cartSlotWaits,
      rewaitedPurchases: outcome.rewaitedPurchases,
      slowest: outcome.slowest,
      loadAvg: burst.loadAvg,
      failures: grouped(outcome.failures),
      warmUp: {
        n: n,
        completionMs: warm.completionMs,
        lastStartMs: warm.lastStartMs,
        completed: warm.outcome.completed,
        rateLimitAnswers: warm.rateLimitAnswers,
        failures: grouped(warm.outcome.failures),
      },
      logFile,
    };
  } finally {
    writeFileSync(logFile, `${logs.join('\n')}\n`);
    await e2e.close();
  }
}

/** Runs every burst of the plan, one fresh runtime each, CoCalc first. */
export async function runBursts(plan: BurstPlan, progress: (what: string) => void): Promise<BurstResult[]> {
  const results: BurstResult[] = [];
  for (const [vendor, ns] of [
    ['cocalc', plan.cocalc],
    ['interserver', plan.interserver],
  ] as const) {
    for (const n of ns) {
      progress(`burst: ${vendor} N=${n} on a fresh runtime`);
      results.push(await runOneBurst(vendor, n, progress));
    }
  }
  return results;
}

/** Whether a burst met what issue 8 asks of it (every purchase completed, no refusal, vendor agrees). */
export function burstClean(r: BurstResult): boolean {
  const warm = r.warmUp.completed === r.warmUp.n && r.warmUp.rateLimitAnswers === 0;
  return warm && r.completed === r.n && r.rateLimitAnswers === 0 && r.vendorAgrees && Number.isFinite(r.completionMs);
}

// ---- the report ------------------------------------------------------------------------------

function fmtS(ms: number | undefined): string {
  return ms === undefined ? '-' : Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'timed out';
}

function counts(record: Record<string, number>): string {
  const parts = Object.entries(record).map(([k, v]) => `${v} ${k}`);
  return parts.length ? parts.join(', ') : '0';
}

/** Where the adds fell against the earliest schedule, how late they reached the vendor, and repeated adds. */
function pacingLines(r: BurstResult): string[] {
  const p = r.pacing!;
  const earliest = vendorEarliestAdds(r.n);
  const marks = [...new Set([1, 3, 15, 16, 30, 31, r.n])].filter((k) => k <= r.n && k <= p.addsAtVendorMs.length);
  const lines = [
    `  adds at the vendor (#k actual/earliest): ${marks.map((k) => `#${k} ${fmtS(p.addsAtVendorMs[k - 1])}/${fmtS(earliest[k - 1])}`).join(', ')}`,
    `  accepted adds vs their claim: at the vendor at most ${fmtMs(p.maxLatenessMs)} after it, ${p.lateAdds} more than ${fmtMs(ARRIVAL_BOUND_MS)} after` +
      p.lateAddTimes
        .map(
          (l) =>
            ` | claim ${fmtS(l.claimMs)}, CART_ADD_STARTED ${fmtS(l.startedMs ?? undefined)}, at the vendor ${fmtS(l.addedMs)} (+${fmtMs(l.addedMs - l.claimMs)})`,
        )
        .join(''),
  ];
  // How many accepted adds the vendor held in its second and minute windows at t.
  const held = (t: number) => {
    const inLast = (w: number) => p.addsAtVendorMs.filter((a) => a <= t && a >= t - w).length;
    return `${inLast(1_000)}/s, ${inLast(60_000)}/min`;
  };
  for (const a of p.repeatedAdds) {
    // An add is claimed right before it is sent; all but the accepted add's claim (the last) were refused or lost.
    const refused = a.addedMs === null ? a.claimsMs : a.claimsMs.slice(0, -1);
    lines.push(
      `  ${a.purchaseId} began ${a.addStartedMs.length} add attempts (each claims after its cart snapshot) at ${a.addStartedMs.map((t) => fmtS(t)).join(', ')}; claims ${a.claimsMs.map((t) => fmtS(t)).join(', ') || 'none'}; added ${a.addedMs === null ? 'never' : fmtS(a.addedMs)}` +
        refused
          .map((u) => `; the add claimed at ${fmtS(u)} did not land (vendor held ${held(u)} at the claim, ${held(u + ARRIVAL_BOUND_MS)} 1 s later)`)
          .join(''),
    );
  }
  return lines;
}

/** Failure lines grouped by what they say once purchase and request ids are taken out. */
function groupFailures(failures: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const f of failures) {
    const id = /^pur-[0-9a-f]{32}/.exec(f)?.[0] ?? '?';
    const text = f
      .replace(/^pur-[0-9a-f]{32}: /, '')
      .replace(/pur-[0-9a-f]{32}/g, '<purchase>')
      .replace(/RequestId: [0-9a-f-]+/g, 'RequestId: <id>');
    groups.set(text, [...(groups.get(text) ?? []), id]);
  }
  return groups;
}

/** The burst table (one row per vendor and N), then what went wrong, if anything. */
export function formatBursts(results: readonly BurstResult[]): string {
  const header = [
    'vendor',
    'N',
    'completion',
    'vendor bound',
    'ratio',
    'completed',
    'failed',
    'rate-limit answers',
    'licenses at vendor',
    'N-th add (vendor earliest / actual)',
    'one purchase alone',
  ];
  const rows = results.map((r) => [
    r.vendor,
    String(r.n),
    fmtS(r.completionMs),
    fmtS(r.boundMs),
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
    `${r.completed}/${r.n}`,
    counts(r.notCompleted),
    String(r.rateLimitAnswers),
    `${r.licensesAtVendor}${!r.vendorAgrees ? ' (MISMATCH)' : r.completed === r.n ? ' (each once)' : ' (as recorded)'}`,
    r.vendor === 'cocalc' ? `${fmtS(r.nthAddEarliestMs)} / ${fmtS(r.lastAddAtVendorMs)}` : '-',
    fmtS(r.soloMs),
  ]);
  const out = [textTable(header, rows, (i) => i >= 2)];
  out.push(
    '',
    'completion: first event put -> all N executions terminal. vendor bound: the earliest instant the',
    "vendor's windows (3/s, 15/min, 200/h) admit the N-th cart/add of a burst, plus one purchase alone",
    '(median of two, on the same runtime just before the burst). ratio = completion / bound. Each burst',
    'runs on a fresh runtime after a warm-up burst of N on cold Lambdas, whose N environments per function stay (figures below).',
  );
  for (const r of results) {
    const retries = Object.entries(r.retries).map(([k, v]) => `${k} x${v}`);
    const states = Object.entries(r.slowest.byStateMs)
      .filter(([, v]) => v >= 50)
      .map(([k, v]) => `${k} ${fmtS(v)}`);
    const w = r.warmUp;
    out.push(
      `${r.vendor} N=${r.n} warm-up: ${w.n} at once on cold Lambdas, ${w.completed}/${w.n} completed in ${fmtS(w.completionMs)}${r.boundMs ? ` (${(w.completionMs / r.boundMs).toFixed(2)}x the bound)` : ''} (all started by ${fmtS(w.lastStartMs)}), ${w.rateLimitAnswers} rate-limit answers`,
      ...w.failures.map((f) => `${r.vendor} N=${r.n} warm-up NOT COMPLETED x${f.count} (e.g. ${f.example}): ${f.what}`),
      `${r.vendor} N=${r.n}: load average ${r.loadAvg.map((l) => l.toFixed(1)).join(' -> ')}; all executions started by ${fmtS(r.lastStartMs)}; ${r.cartSlotWaits} cart-slot waits (${r.rewaitedPurchases} purchases waited more than once); retries: ${retries.join(', ') || 'none'}`,
      ...(r.pacing ? pacingLines(r) : []),
      `  slowest execution ${fmtS(r.slowest.totalMs)}: ${states.join(', ')}`,
    );
    for (const p of r.vendorProblems) out.push(`${r.vendor} N=${r.n} VENDOR: ${p}`);
    for (const f of r.failures) out.push(`${r.vendor} N=${r.n} NOT COMPLETED x${f.count} (e.g. ${f.example}): ${f.what}`);
    if (!burstClean(r)) out.push(`${r.vendor} N=${r.n}: runtime and handler logs in ${r.logFile}`);
  }
  return out.join('\n');
}
