import { VENDOR_PROFILES } from '../../lambdas/core/vendors';
import type { NormalizedLicense } from '../../lambdas/core/workflow';
import { formatUsd } from '../../lambdas/core/money';
import type { PurchaseListItem } from '../../lambdas/core/purchase-list';
import type { PurchaseQuote } from '../../lambdas/core/quote-purchase';
import type { StepEvent } from '../local/execution-engine-events';
import type { PurchaseView } from './api-client';
import { escapeControls } from '../../lambdas/core/safe-text';
import { printTable } from './output';

/**
 * How the CLI shows purchases, audit trails, licenses and workflow steps to a person. Shared by
 * `status`, `audit`, `licenses`, `local` and `demo`, so every command shows them alike.
 */

/** `pur-52aaae2ec0378ec1adf9e9cd95d7dd00` -> `pur-52aaae2e` (enough to tell purchases apart in a stream). */
export function shortId(purchaseId: string): string {
  return purchaseId.length > 12 ? purchaseId.slice(0, 12) : purchaseId;
}

/** 2026-11-28T23:00:03.972Z -> 2026-11-28 23:00:03Z */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** 45 -> "45s", 3_900 -> "1h 05m", 200_000 -> "2d 07h": the two largest units. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** Who still has to decide a listed purchase, in words ("" when nobody does). */
export function toDecide(p: Pick<PurchaseListItem, 'pendingApprovers' | 'approvalExpiresAt' | 'needsResolution' | 'approvalsNeeded'>): string {
  if (p.pendingApprovers.length) {
    const more = p.approvalsNeeded !== undefined ? `${p.approvalsNeeded} more of ` : '';
    return `${more}${p.pendingApprovers.join(', ')}${p.approvalExpiresAt ? ` (until ${formatTime(p.approvalExpiresAt)})` : ''}`;
  }
  if (p.needsResolution) return 'an operator: procure resolve';
  return '';
}

/** `procure list`: one row per purchase. Every cell goes through escapeControls (printTable). */
export function printPurchaseList(purchases: PurchaseListItem[]): void {
  printTable(
    purchases.map((p) => ({
      purchase: p.purchaseId,
      status: p.status,
      vendor: p.vendor,
      amount: p.amountUsd !== undefined ? formatUsd(p.amountUsd) : '',
      requester: p.requester ? `${p.requester.name} <${p.requester.email}>` : '',
      age: formatAge(p.ageSeconds),
      'to decide': toDecide(p),
    })),
    ['purchase', 'status', 'vendor', 'amount', 'requester', 'age', 'to decide'],
    { maxWidth: { requester: 48, 'to decide': 80 } },
  );
}

/** `procure quote`: the quote as label/value lines (escaped by printFields). */
export function printQuote(q: PurchaseQuote): void {
  const source = VENDOR_PROFILES.find((p) => p.priceSource.id === q.priceSource)?.priceSource.description ?? q.priceSource;
  printFields([
    ['quote', `${q.requestId} (${q.vendor}): nothing reserved, added to a cart, mailed or audited`],
    ['item', q.summary],
    ['price', `${formatUsd(q.amountUsd)} (${source})`],
    [
      'budget',
      `${formatUsd(q.budget.remainingUsd)} of ${formatUsd(q.budget.capUsd)} left for ${q.vendor} in ${q.budget.month}; ` +
        (q.budget.fits ? `${formatUsd(q.budget.remainingAfterUsd)} after this purchase` : 'this purchase does not fit'),
    ],
    ['approval', q.approval.reason],
    ['problems', q.problems.length ? `${q.problems.length}, the submitted request would not complete:` : 'none'],
  ]);
  for (const problem of q.problems) console.log(`  - ${escapeControls(problem)}`);
}

/** What an audit entry says in one line: its message, else its detail. */
function auditDetail(entry: PurchaseView['audit'][number]): string {
  if (entry.message) return entry.message;
  return entry.detail ? JSON.stringify(entry.detail) : '';
}

export function printAuditTrail(audit: PurchaseView['audit']): void {
  printTable(
    audit.map((e) => ({ time: formatTime(e.at), event: e.type, status: e.status, actor: e.actor ?? '', detail: auditDetail(e) })),
    ['time', 'event', 'status', 'actor', 'detail'],
    { maxWidth: { detail: 110 } },
  );
}

export function printLicenses(licenses: NormalizedLicense[]): void {
  printTable(
    licenses.map((l) => ({
      vendor: l.vendor,
      id: l.id,
      title: l.title,
      status: l.status,
      target: l.target,
      created: formatTime(l.createdAt),
      expires: formatTime(l.expiresAt),
    })),
    ['vendor', 'id', 'title', 'status', 'target', 'created', 'expires'],
  );
}

/** Label/value lines, labels aligned; empty values are left out. */
export function printFields(fields: Array<[string, string | number | undefined | null]>): void {
  const shown = fields.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const width = Math.max(...shown.map(([k]) => k.length));
  for (const [k, v] of shown) console.log(`${k.padEnd(width)}  ${escapeControls(String(v))}`);
}

export function printPurchase(p: PurchaseView): void {
  const last = p.audit.at(-1);
  printFields([
    ['purchase', p.purchaseId],
    ['status', p.status],
    ['vendor', p.vendor],
    ['request', p.requestId],
    ['amount', p.amountUsd !== undefined ? formatUsd(p.amountUsd) : undefined],
    ['license', p.licenseId],
    ['invoice', p.invoice],
    ['reason', p.reason],
    [
      'waiting for',
      p.waiting ? `${p.waiting.for}, since ${formatTime(p.waiting.since)}${p.waiting.until ? `, next try ${formatTime(p.waiting.until)}` : ''}` : undefined,
    ],
    ['cleanup pending', p.cleanupPending?.length ? `${p.cleanupPending.join(', ')} (the reconciler retries it)` : undefined],
    ['resolved', p.resolution ? `${p.resolution.finding} by ${p.resolution.actor} at ${formatTime(p.resolution.at)}` : undefined],
    ['created', formatTime(p.createdAt)],
    ['updated', formatTime(p.updatedAt)],
    ['execution', p.executionArn],
    ['last event', last ? `${formatTime(last.at)} ${last.type}: ${auditDetail(last)}` : undefined],
    ['audit', `${p.audit.length} entr${p.audit.length === 1 ? 'y' : 'ies'} (procure audit ${p.purchaseId})`],
  ]);
}

/**
 * One line for a finished state (`[pur-52aaae2e] Checkout  succeeded  1.4 s`), or undefined for
 * events that are not worth a line (entries, execution start/end are reported elsewhere).
 */
export function stepLine(step: StepEvent): string | undefined {
  if (!step.state || !step.outcome) return undefined;
  const head = `  [${escapeControls(shortId(step.executionName))}] ${escapeControls(step.state).padEnd(18)} ${step.outcome.padEnd(9)} ${formatDuration(step.durationMs).padStart(8)}`;
  if (step.outcome === 'retrying') return `${head}  attempt ${step.attempt ?? '?'}${step.error ? ` after ${escapeControls(step.error)}` : ''}`;
  if (step.outcome === 'failed' || step.outcome === 'caught')
    return `${head}  ${escapeControls(step.error ?? '')}${step.cause ? `: ${oneLine(step.cause, 160)}` : ''}`;
  return head.trimEnd();
}

/** A Step Functions Cause (often `{"errorType","errorMessage",...}` JSON) as one short line. */
export function oneLine(cause: string, max = 200): string {
  let text = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // plain text
  }
  text = escapeControls(text.replace(/\s+/g, ' ').trim());
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
