import { UNCAPPED, autoApproveAll } from './config-overrides';
import type { Vendor } from '../lambdas/core/purchase-request';
import { EVENTS, purchaseIdFor } from '../lambdas/core/workflow';
import { decideApproval } from '../lib/cli/approval-client';
import { startLocalRuntime, type DynamoCall, type InvocationRecord, type LocalRuntime } from '../lib/local';
import { PROJECT_DIR } from '../test/support/project-dir';
import { costOf, requestUnits, type PathCost } from './aws-prices';
import { median } from './measure';
import { attributeCalls, callsByOperation, connectionOwners, countTransitions, stateOfInvocation, type Span, type Transitions } from './path-meter';
import { MailWaiter } from './runtime';
import { cocalcRequestBody, interserverRequestBody, INVALID_REQUEST_BODY } from './samples';
import { busyMs, portOf, recordServerRequests, type ServerRequest } from './server-requests';

/**
 * `npm run bench -- paths [--quick]` (issue #11, bullet 2): one purchase of each path on the local
 * runtime with the vendor sandboxes, one at a time, after a warm-up purchase per vendor (so every
 * function on the path is warm): approved by a human at once (CoCalc, InterServer), auto-approved
 * (both), rejected and expired (CoCalc, approval timeout shortened to a few seconds), and an invalid
 * request refused at intake. Per path: DynamoDB calls (counted where the runtime's DynamoDB front
 * receives them), billed Step Functions transitions (from the execution's steps), Lambda
 * invocations, workflow overhead, and the list-price cost on AWS. Full: 3 rounds per path (the
 * overhead is their median); `--quick`: 1.
 *
 * Overhead = event put -> execution terminal (for the invalid request: -> Intake returned), minus
 * the time the vendor sandboxes spent answering procure's requests (from each request's arrival at
 * the sandbox's server to its answer finished; overlaps counted once), minus the human's time (the
 * approval mail handed to the outbox -> the decision POST reaching the API; the bench opens the page
 * and decides at once), minus the approval timeout on the expired path. What remains is procure's:
 * Lambda hand-offs, handler code, the AWS SDK's client side and DynamoDB, the vendor clients' own
 * encoding, loopback hops, and the engine.
 */

export type PathKind = 'approved' | 'auto' | 'rejected' | 'expired' | 'invalid';

interface PathPlan {
  name: string;
  kind: PathKind;
  vendor: Vendor;
}

/** The paths, in the order they run; the first runtime has a human approve, the second auto-approves. */
const HUMAN_PATHS: PathPlan[] = [
  { name: 'approved CoCalc', kind: 'approved', vendor: 'cocalc' },
  { name: 'approved InterServer', kind: 'approved', vendor: 'interserver' },
  { name: 'rejected CoCalc', kind: 'rejected', vendor: 'cocalc' },
  { name: 'expired CoCalc', kind: 'expired', vendor: 'cocalc' },
  { name: 'invalid (intake)', kind: 'invalid', vendor: 'cocalc' },
];
const AUTO_PATHS: PathPlan[] = [
  { name: 'auto CoCalc', kind: 'auto', vendor: 'cocalc' },
  { name: 'auto InterServer', kind: 'auto', vendor: 'interserver' },
];

/** The approval timeout on the first runtime: long enough for an answer at once, short enough to wait out. */
const APPROVAL_TIMEOUT_SECONDS = 4;
/** No scheduled function (reconciler, reminders) runs during the bench, so none is counted. */
const NO_SCHEDULES_MS = 24 * 60 * 60 * 1000;

/** Issue #11's targets. */
export const TARGETS = {
  autoOverheadMs: 60,
  approvedOverheadMs: 80,
  dynamoCalls: 15,
  transitions: 8,
  costUsd: 0.0003,
} as const;

export interface StepCalls {
  /** The state an invocation ran for, or the function when no state calls it (Intake, ApprovalsApi). */
  step: string;
  calls: number;
  operations: Array<[string, number]>;
  /** Time in the step: the state's own (entered, or last retried, -> left), or the function's invocations. */
  ms: number;
}

export interface PathResult {
  path: string;
  kind: PathKind;
  rounds: number;
  outcome: string;
  /** Medians over the rounds. */
  totalMs: number;
  vendorMs: number;
  humanMs: number;
  timeoutMs: number;
  overheadMs: number;
  /** The counts below are the first round's; `countsVaried` says whether a later round differed. */
  dynamoCalls: number;
  operations: Array<[string, number]>;
  readUnits: number;
  writeUnits: number;
  transitions: Transitions;
  invocations: number;
  coldInvocations: number;
  cost: PathCost;
  byStep: StepCalls[];
  countsVaried: boolean;
}

interface Round {
  outcome: string;
  totalMs: number;
  vendorMs: number;
  humanMs: number;
  timeoutMs: number;
  calls: DynamoCall[];
  invocations: InvocationRecord[];
  transitions: Transitions;
  byStep: StepCalls[];
}

interface Metered {
  rt: LocalRuntime;
  mails: MailWaiter;
  calls: DynamoCall[];
  invocations: InvocationRecord[];
  serverRequests: ServerRequest[];
  vendorPorts: Set<number>;
  apiPort: number;
  serial: number;
}

async function startMetered(
  watched: Set<number>,
  serverRequests: ServerRequest[],
  config: Record<string, string>,
  approvalTimeoutSeconds?: number,
): Promise<Metered> {
  const calls: DynamoCall[] = [];
  const invocations: InvocationRecord[] = [];
  const mails = new MailWaiter();
  const rt = await startLocalRuntime({
    projectDir: PROJECT_DIR,
    inMemory: true,
    synth: 'auto',
    // The bench measures procure, not the budget or the vendor's add limit.
    configOverrides: {
      ...UNCAPPED,
      ...config,
    },
    ...(approvalTimeoutSeconds !== undefined ? { stateMachineOverrides: { callbackTimeoutSeconds: approvalTimeoutSeconds } } : {}),
    sandboxes: { cocalc: { balance: 1_000_000, throttle: false }, interserver: {} },
    schedulePeriodMs: NO_SCHEDULES_MS,
    onDynamoCall: (c) => calls.push(c),
    onInvocation: (r) => invocations.push(r),
    onMail: mails.deliver,
    log: () => undefined,
  });
  const vendorPorts = new Set([portOf(rt.sandboxes.cocalc?.url), portOf(rt.sandboxes.interserver?.url)]);
  const apiPort = portOf(rt.apiUrl);
  watched.clear();
  for (const p of [...vendorPorts, apiPort]) watched.add(p);
  return { rt, mails, calls, invocations, serverRequests, vendorPorts, apiPort, serial: 0 };
}

function requestBodyFor(plan: PathPlan, requestId: string, n: number, marker: string): Record<string, unknown> {
  if (plan.kind === 'invalid') return { ...INVALID_REQUEST_BODY };
  return plan.vendor === 'cocalc' ? cocalcRequestBody(requestId, marker) : interserverRequestBody(requestId, n, marker);
}

/** One purchase of a path, alone on the runtime, and what it cost. */
async function runRound(m: Metered, plan: PathPlan): Promise<Round> {
  const n = ++m.serial;
  const requestId = `paths-${plan.kind}-${plan.vendor}-${n}-${process.pid}`;
  const marker = `paths bench ${requestId}`;
  const purchaseId = purchaseIdFor(requestId);
  const asks = plan.kind === 'approved' || plan.kind === 'rejected' || plan.kind === 'expired';
  const mail = asks ? m.mails.next(marker, 30_000) : undefined;
  const [callsBefore, invocationsBefore, executionsBefore] = [m.calls.length, m.invocations.length, m.rt.executions.list().length];
  const t0 = performance.now();
  const put = await m.rt.putEvents([{ Source: EVENTS.defaultRequestSource, DetailType: EVENTS.requested, Detail: requestBodyFor(plan, requestId, n, marker) }]);
  if (put.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(put.Entries)}`);

  let humanMs = 0;
  let timeoutMs = 0;
  if (mail) {
    const link = (await mail).links[0];
    const mailedAt = performance.now();
    if (!link) throw new Error('the approval mail has no link');
    if (plan.kind === 'expired') {
      timeoutMs = APPROVAL_TIMEOUT_SECONDS * 1000;
    } else {
      const decided = await decideApproval(link, plan.kind === 'approved' ? 'approve' : 'reject');
      if (decided.status !== 200) throw new Error(`deciding answered ${decided.status}: ${decided.text}`);
      const post = m.serverRequests.find((r) => r.port === m.apiPort && r.method === 'POST' && r.from >= mailedAt);
      if (!post) throw new Error('the decision POST was not seen at the API');
      humanMs = post.from - mailedAt;
    }
  }

  let endedAt: number;
  let outcome: string;
  if (plan.kind === 'invalid') {
    await m.rt.eventsIdle();
    const intake = m.invocations.slice(invocationsBefore).find((i) => i.constructId === 'Intake');
    if (!intake) throw new Error('Intake did not run for the invalid request');
    endedAt = intake.endedAt;
    outcome = m.rt.executions.list().length > executionsBefore ? 'an execution STARTED' : 'refused at intake';
  } else {
    const done = await m.rt.executions.wait(purchaseId, { timeoutMs: 60_000 + timeoutMs });
    endedAt = performance.now();
    outcome = `${done.status}${done.error ? ` (${done.error})` : ''}`;
  }
  // Whatever the end set off (the outcome event's deliveries) settles before the window closes.
  await m.rt.eventsIdle();
  await new Promise((r) => setTimeout(r, 20));
  const calls = m.calls.slice(callsBefore);
  const invocations = m.invocations.slice(invocationsBefore);

  const vendorMs = busyMs(m.serverRequests.filter((r) => m.vendorPorts.has(r.port) && r.from >= t0 && r.to <= endedAt));
  const history = plan.kind === 'invalid' ? [] : m.rt.executions.history(purchaseId);
  const tasks = m.rt.stateMachines[0]?.tasks ?? {};
  const spans: Span[] = invocations.map((i) => ({
    fn: i.constructId,
    label: stateOfInvocation(tasks, history, i.constructId, performance.timeOrigin + i.acceptedAt) ?? i.constructId,
    from: i.acceptedAt,
    to: i.endedAt,
  }));
  // Every call so far tells whose its connection is (warm-up included: connections are kept alive).
  const owners = connectionOwners(
    m.calls,
    m.invocations.map((i) => ({ fn: i.constructId, label: i.constructId, from: i.acceptedAt, to: i.endedAt })),
  );
  const stepMs = new Map<string, number>();
  for (const st of history) {
    if (st.state && st.stateType === 'Task' && st.durationMs !== undefined && st.type !== 'StateRetried')
      stepMs.set(st.state, (stepMs.get(st.state) ?? 0) + st.durationMs);
  }
  for (const sp of spans) if (!(sp.label in tasks)) stepMs.set(sp.label, (stepMs.get(sp.label) ?? 0) + sp.to - sp.from);
  const byStep = [...attributeCalls(calls, spans, owners)].map(([step, list]) => ({
    step,
    calls: list.length,
    operations: callsByOperation(list),
    ms: stepMs.get(step) ?? Number.NaN,
  }));
  const totalMs = endedAt - t0;
  return { outcome, totalMs, vendorMs, humanMs, timeoutMs, calls, invocations, transitions: countTransitions(history), byStep };
}

function summarize(plan: PathPlan, rounds: Round[]): PathResult {
  const first = rounds[0]!;
  const units = requestUnits(first.calls);
  const shape = (r: Round) => JSON.stringify([callsByOperation(r.calls), r.transitions, r.invocations.length]);
  const overheads = rounds.map((r) => r.totalMs - r.vendorMs - r.humanMs - r.timeoutMs);
  return {
    path: plan.name,
    kind: plan.kind,
    rounds: rounds.length,
    outcome: [...new Set(rounds.map((r) => r.outcome))].join(' / '),
    totalMs: median(rounds.map((r) => r.totalMs)),
    vendorMs: median(rounds.map((r) => r.vendorMs)),
    humanMs: median(rounds.map((r) => r.humanMs)),
    timeoutMs: first.timeoutMs,
    overheadMs: median(overheads),
    dynamoCalls: first.calls.length,
    operations: callsByOperation(first.calls),
    readUnits: units.read,
    writeUnits: units.write,
    transitions: first.transitions,
    invocations: first.invocations.length,
    coldInvocations: first.invocations.filter((i) => i.cold).length,
    cost: costOf({
      transitions: first.transitions.total,
      invocations: first.invocations.map((i) => ({ memoryMb: i.memoryMb, durationMs: i.endedAt - i.startedAt })),
      readUnits: units.read,
      writeUnits: units.write,
    }),
    byStep: first.byStep,
    countsVaried: rounds.some((r) => shape(r) !== shape(first)),
  };
}

/** Runs a runtime's paths: a warm-up purchase per vendor first (not measured), then `rounds` of each path. */
async function runPaths(m: Metered, plans: PathPlan[], warmUp: PathPlan[], rounds: number, progress: (what: string) => void): Promise<PathResult[]> {
  for (const plan of warmUp) {
    progress(`paths: warm-up, ${plan.name}`);
    await runRound(m, plan);
  }
  const results: PathResult[] = [];
  for (const plan of plans) {
    progress(`paths: ${plan.name}${rounds > 1 ? ` x ${rounds}` : ''}`);
    const done: Round[] = [];
    for (let i = 0; i < rounds; i++) done.push(await runRound(m, plan));
    results.push(summarize(plan, done));
  }
  return results;
}

export async function runPathsBench(mode: 'full' | 'quick', progress: (what: string) => void): Promise<PathResult[]> {
  const rounds = mode === 'quick' ? 1 : 3;
  const watched = new Set<number>();
  const recorder = recordServerRequests(() => watched);
  const results: PathResult[] = [];
  try {
    progress('paths: local runtime, a human approves');
    const human = await startMetered(watched, recorder.requests, {}, APPROVAL_TIMEOUT_SECONDS);
    try {
      results.push(...(await runPaths(human, HUMAN_PATHS, HUMAN_PATHS.slice(0, 2), rounds, progress)));
    } finally {
      await human.rt.close();
    }
    recorder.requests.length = 0;
    progress('paths: local runtime, auto-approve up to $1,000');
    const auto = await startMetered(watched, recorder.requests, autoApproveAll());
    try {
      results.push(...(await runPaths(auto, AUTO_PATHS, AUTO_PATHS, rounds, progress)));
    } finally {
      await auto.rt.close();
    }
  } finally {
    recorder.stop();
  }
  return results;
}
