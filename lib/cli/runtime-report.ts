import { APPROVAL_LINK_HEADER } from '../../lambdas/core/approval-mail';
import { escapeControls } from '../../lambdas/core/safe-text';
import type { NormalizedLicense, WorkflowState } from '../../lambdas/core/workflow';
import type { LocalRuntime, OutboxMail, StepEvent } from '../local';
import { ProcureApi } from './api-client';
import { formatDuration, oneLine, printAuditTrail, printLicenses, shortId, stepLine } from './views';

/**
 * What `procure local` and `procure demo` print while a runtime works: one line per finished
 * state, runtime log lines worth an operator's attention (handler logs only with --verbose), and
 * an execution's outcome with its license and audit trail.
 */

/** Runtime log lines the CLI already shows in its own words, or that are handler logs. */
const QUIET_LOG = [
  /^\[[\w-]+\] /,
  /^sandbox: /,
  /^secrets: wrote/,
  /^local runtime up/,
  /^bundles: \d+ checked/,
  /^interrupted: \d+ execution/,
  /^interrupted: \S+ closed by/,
];

/** A `log` option for startLocalRuntime: everything with --verbose, else only what needs attention. */
export function runtimeLog(verbose: boolean, print: (line: string) => void = (l) => console.log(l)): (line: string) => void {
  return (line) => {
    if (verbose || !QUIET_LOG.some((re) => re.test(line))) print(`  runtime: ${escapeControls(line)}`);
  };
}

/** An `onStep` that prints finished states and calls `onEnd` when an execution ends. */
export function stepPrinter(onEnd?: (step: StepEvent) => void, print: (line: string) => void = (l) => console.log(l)): (step: StepEvent) => void {
  return (step) => {
    if (step.type === 'ExecutionStarted')
      print(`  [${escapeControls(shortId(step.executionName))}] workflow started (execution ${escapeControls(step.executionName)})`);
    const line = stepLine(step);
    if (line) print(line);
    if (step.type.startsWith('Execution') && step.type !== 'ExecutionStarted') onEnd?.(step);
  };
}

/**
 * The approval link of a mail, if it carries one: the one procure put in its
 * `X-Procure-Approval-Link` header. Never a link found in the body, which quotes requester text.
 */
export function approvalLinkOf(mail: Pick<OutboxMail, 'headers'>): string | undefined {
  const link = mail.headers?.[APPROVAL_LINK_HEADER.toLowerCase()];
  return link && /^https?:\/\/[^\s]+\/approvals\/[^/?\s]+\?sig=[^\s]+$/.test(link) ? link : undefined;
}

/** A client for the runtime's own API, signed with its local credentials. */
export function apiOf(rt: LocalRuntime): ProcureApi {
  return new ProcureApi({ apiUrl: rt.apiUrl, region: rt.region, credentials: rt.clientConfig('aws').credentials, local: true });
}

/** The workflow's final state, when the execution succeeded and its output parses. */
export function outputOf(output: string | undefined): WorkflowState | undefined {
  if (!output) return undefined;
  try {
    return JSON.parse(output) as WorkflowState;
  } catch {
    return undefined;
  }
}

/**
 * Prints how an execution ended: outcome and duration, the license it bought, and the purchase's
 * audit trail read back through GET /purchases/{id}. Returns the license, if any.
 */
export async function reportExecution(rt: LocalRuntime, executionArn: string): Promise<NormalizedLicense | undefined> {
  const print = (line: string): void => console.log(escapeControls(line));
  const record = await rt.executions.wait(executionArn, { timeoutMs: 10_000 });
  const purchaseId = record.name;
  const took = record.stopDate ? formatDuration(Date.parse(record.stopDate) - Date.parse(record.startDate)) : '';
  const why = record.error ? ` (${record.error}${record.cause ? `: ${oneLine(record.cause, 160)}` : ''})` : '';
  const purchase = await apiOf(rt).getPurchase(purchaseId);
  print('');
  print(`Purchase ${purchaseId}: execution ${record.status}${why}${took ? ` after ${took}` : ''}; purchase status ${purchase.status ?? 'unknown'}`);
  const license = outputOf(record.output)?.license;
  if (license) {
    print('License bought:');
    printLicenses([license]);
  }
  print(`Audit trail (npx procure audit ${purchaseId}):`);
  printAuditTrail(purchase.audit);
  print('');
  return license;
}
