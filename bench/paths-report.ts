import { fmtMs, textTable } from './measure';
import { TARGETS, type PathResult } from './paths';

/** The paths bench's printed tables: figures per path, the same against issue #11's targets, and calls per step. */

/** Operation names without the "Item" every one of them carries. */
function shortOps(operations: ReadonlyArray<[string, number]>): string {
  return operations.map(([op, n]) => `${op.replace(/Item$/, '')} ${n}`).join(', ');
}

const usd = (v: number): string => `$${v.toFixed(6)}`;

/** measured / target, e.g. "1.69x"; "-" where the issue sets no target for the path. */
export function ratio(measured: number, target: number | undefined): string {
  return target === undefined ? '-' : `${(measured / target).toFixed(2)}x`;
}

function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  return textTable(header, rows, (i) => rightAligned.has(i));
}

/** Whether the issue's per-purchase targets apply: approved purchases, by a human or automatically. */
const approvedPath = (r: PathResult): boolean => r.kind === 'approved' || r.kind === 'auto';

export function formatPaths(results: readonly PathResult[]): string {
  const figures = table(
    ['path', 'outcome', 'event->end', 'vendor', 'human', 'overhead', 'DynamoDB calls', 'transitions', 'Lambda', 'cost on AWS'],
    results.map((r) => [
      r.path,
      r.outcome,
      fmtMs(r.totalMs) + (r.timeoutMs ? ` (${r.timeoutMs / 1000} s wait)` : ''),
      fmtMs(r.vendorMs),
      fmtMs(r.humanMs),
      fmtMs(r.overheadMs),
      `${r.dynamoCalls}: ${shortOps(r.operations)}`,
      `${r.transitions.total} (${r.transitions.routing} routing${r.transitions.retries ? `, ${r.transitions.retries} retries` : ''})`,
      `${r.invocations}${r.coldInvocations ? ` (${r.coldInvocations} cold)` : ''}`,
      usd(r.cost.total),
    ]),
    new Set([2, 3, 4, 5, 9]),
  );
  const against = table(
    [
      'path',
      `overhead (<= ${TARGETS.autoOverheadMs} auto, ${TARGETS.approvedOverheadMs} approved)`,
      `calls (<= ${TARGETS.dynamoCalls})`,
      `transitions (<= ${TARGETS.transitions})`,
      `cost (<= $${TARGETS.costUsd})`,
    ],
    results
      .filter(approvedPath)
      .map((r) => [
        r.path,
        ratio(r.overheadMs, r.kind === 'auto' ? TARGETS.autoOverheadMs : TARGETS.approvedOverheadMs),
        ratio(r.dynamoCalls, TARGETS.dynamoCalls),
        ratio(r.transitions.total, TARGETS.transitions),
        ratio(r.cost.total, TARGETS.costUsd),
      ]),
    new Set([1, 2, 3, 4]),
  );
  const split = table(
    ['path', 'Step Functions', 'Lambda requests', 'Lambda GB-s', 'DynamoDB', 'read / write units'],
    results.map((r) => [
      r.path,
      usd(r.cost.stepFunctions),
      usd(r.cost.lambdaRequests),
      usd(r.cost.lambdaDuration),
      usd(r.cost.dynamo),
      `${r.readUnits} / ${r.writeUnits}`,
    ]),
    new Set([1, 2, 3, 4]),
  );
  const steps = [...new Set(results.flatMap((r) => r.byStep.map((s) => s.step)))];
  const perStep = table(
    ['step (state, or function)', ...results.map((r) => r.path)],
    steps.map((step) => [step, ...results.map((r) => String(r.byStep.find((s) => s.step === step)?.calls ?? ''))]),
    new Set(results.map((_, i) => i + 1)),
  );
  const detailed = results.find((r) => r.path === 'approved CoCalc') ?? results[0];
  const detail = detailed ? detailed.byStep.map((s) => `  ${s.step}: ${s.calls} calls (${shortOps(s.operations)}), ${fmtMs(s.ms)}`).join('\n') : '';
  const varied = results.filter((r) => r.countsVaried).map((r) => r.path);
  return [
    figures,
    '',
    `against issue #11's targets (measured / target; at most 1.00x meets it):`,
    against,
    '',
    "cost per purchase by service (list prices; Lambda arm64 at each function's memory; 1 request unit per item read or written, 2 per item of a transaction):",
    split,
    '',
    'DynamoDB calls per step (each call goes to the Lambda invocation in flight when the front received it):',
    perStep,
    '',
    ...(detailed ? [`${detailed.path}, by operation, and the time in each step (RequestApproval's includes the human's):`, detail, ''] : []),
    varied.length ? `counts differed between rounds for: ${varied.join(', ')} (the first round's are shown)` : 'counts were the same in every round',
  ].join('\n');
}
