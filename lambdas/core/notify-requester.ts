import { AUDIT } from './audit-kinds';
import type { ApprovalRecord, AuditLog, Mailer, NoticeLedger, PurchaseRecord, PurchaseStore } from './ports';
import { noticeKind, renderRequesterNotice, type NoticeOutcome, type RequesterNoticeView } from './requester-notice';
import type { EndFacts } from './requester-reasons';
import { wantsNotices } from './purchase-request';
import type { PurchaseStatus, WorkflowState } from './workflow';

/**
 * Sends one requester notice (core/requester-notice.ts) beside the step that decided or ended the
 * purchase. A notice is information, never part of the purchase: whatever goes wrong here is
 * logged and audited (NOTICE_FAILED) and the caller carries on; nothing here throws.
 *
 * At most once per purchase, kind and outcome: the ledger's conditional write is claimed before the
 * mail is sent, so a retried Lambda finds the claim and sends nothing. A send that fails gives the claim
 * back, so a retry of the step may try again.
 */

/** Audit entry types of requester notices. */
export const NOTICE_AUDIT = { sent: AUDIT.requesterNotified, failed: AUDIT.noticeFailed } as const;

export interface RequesterNoticeDeps {
  mailer: Mailer;
  notices: NoticeLedger;
  audit: AuditLog;
  /** The sender address of procure's mail. */
  sender: string;
  /** Structurally the shared logger (lambdas/shared/logger.ts). */
  log: { error(message: string, ...extra: Array<Record<string, unknown>>): void };
  clock?: () => Date;
}

/** What happened to one notice. */
export type NoticeResult = 'sent' | 'already-sent' | 'opted-out' | 'failed';

/**
 * Mails `view.requester` unless they opted out (`notify` false). `status` is the purchase status
 * the audit entry records (the one the caller just wrote).
 */
export async function notifyRequester(deps: RequesterNoticeDeps, view: RequesterNoticeView, status: PurchaseStatus, notify: boolean): Promise<NoticeResult> {
  if (!notify) return 'opted-out';
  const kind = noticeKind(view.outcome);
  // Per status: a retried step that ends the purchase differently (NEEDS_ATTENTION, then FAILED
  // once the vendor is back) tells the requester the new end; the same end is told once.
  const key = `${kind}#${view.outcome.status}`;
  const at = (deps.clock ?? (() => new Date()))().toISOString();
  let claimed = false;
  try {
    claimed = await deps.notices.claim(view.purchaseId, key, at);
    if (!claimed) return 'already-sent';
    await deps.mailer.send(renderRequesterNotice(view, deps.sender));
  } catch (err) {
    await failed(deps, view, status, { kind, key }, err as Error, claimed);
    return 'failed';
  }
  try {
    await deps.audit.append(view.purchaseId, {
      type: NOTICE_AUDIT.sent,
      status,
      actor: 'system',
      message: `Mailed the requester: ${kind} (${view.outcome.status})`,
      detail: { kind, outcome: view.outcome.status, to: view.requester.email },
    });
  } catch (err) {
    // The mail went out; a missing entry must not make the step fail (and mail again on retry).
    deps.log.error('the requester notice was sent but could not be audited', { purchaseId: view.purchaseId, kind, error: (err as Error).name });
  }
  return 'sent';
}

async function failed(
  deps: RequesterNoticeDeps,
  view: RequesterNoticeView,
  status: PurchaseStatus,
  { kind, key }: { kind: string; key: string },
  err: Error,
  claimed: boolean,
): Promise<void> {
  // The error's name only: an SDK message can quote the request, and the request holds the address.
  deps.log.error('the requester notice could not be sent', { purchaseId: view.purchaseId, kind, error: err.name });
  try {
    if (claimed) await deps.notices.release(view.purchaseId, key);
  } catch (again) {
    deps.log.error('the requester notice claim could not be released', { purchaseId: view.purchaseId, kind, error: (again as Error).name });
  }
  try {
    await deps.audit.append(view.purchaseId, {
      type: NOTICE_AUDIT.failed,
      status,
      actor: 'system',
      message: `The ${kind} notice to the requester could not be sent (${err.name}); the purchase is not affected`,
      detail: { kind, outcome: view.outcome.status, error: err.name },
    });
  } catch (again) {
    deps.log.error('the failed requester notice could not be audited', { purchaseId: view.purchaseId, kind, error: (again as Error).name });
  }
}

/** The notice view of a purchase in the workflow, for `outcome`. */
export function noticeViewOf(
  state: WorkflowState,
  outcome: NoticeOutcome,
  amountUsd = state.purchase?.amountUsd ?? state.quote?.amountUsd,
): RequesterNoticeView {
  const { request } = state;
  return {
    purchaseId: state.purchaseId,
    requestId: request.requestId,
    vendor: request.vendor,
    requester: { name: request.requester.name, email: request.requester.email },
    reason: request.reason,
    ...(state.quote?.summary ? { item: state.quote.summary } : {}),
    ...(amountUsd !== undefined ? { amountUsd } : {}),
    outcome,
  };
}

const END_STATUSES = new Set<PurchaseStatus>(['REJECTED', 'EXPIRED', 'INVALID', 'FAILED', 'NEEDS_ATTENTION']);

/**
 * How a purchase that did not complete ended, for its notice. `error` is the caught error's name;
 * `scrub` cleans the approver's comment (it is free text) before it is quoted to the requester.
 */
export function endOutcomeOf(state: WorkflowState, status: PurchaseStatus, error: string | undefined, scrub: (text: string) => string): NoticeOutcome {
  const ended = (END_STATUSES.has(status) ? status : 'FAILED') as EndFacts['status'];
  const rejection = ended === 'REJECTED' && state.approval ? state.approval : undefined;
  return {
    status: ended,
    vendor: state.request.vendor,
    ...(error !== undefined ? { error } : {}),
    ...(rejection ? { approver: rejection.approver } : {}),
    ...(rejection?.comment ? { comment: scrub(rejection.comment) } : {}),
  };
}

/**
 * The approval notice of a decided approval record: what the approver saw (its summary) and the
 * purchase's ids. Undefined for a record without a summary (nothing to tell the requester from).
 */
export function approvalNoticeView(record: ApprovalRecord, purchase: Pick<PurchaseRecord, 'requestId'>): RequesterNoticeView | undefined {
  const summary = record.summary;
  if (!summary) return undefined;
  return {
    purchaseId: record.purchaseId,
    requestId: purchase.requestId,
    vendor: summary.vendor,
    requester: { name: summary.requester.name, email: summary.requester.email },
    reason: summary.reason,
    item: summary.item,
    amountUsd: summary.amountUsd,
    outcome: { status: 'APPROVED', approver: record.approver },
  };
}

/**
 * Tells the requester that `decided` approved their purchase (the approvals API, once the workflow
 * has the decision). A rejection is told by RecordOutcome, which ends the purchase with the
 * approver's comment. The purchase record says whether the request opted out.
 */
export async function notifyApproval(
  deps: RequesterNoticeDeps & { purchases: Pick<PurchaseStore, 'get'> },
  decided: ApprovalRecord,
  /** The purchase record when the caller has already read it. */
  known?: PurchaseRecord,
): Promise<NoticeResult | undefined> {
  if (decided.status !== 'APPROVED') return undefined;
  const purchase = known ?? (await deps.purchases.get(decided.purchaseId));
  const view = purchase ? approvalNoticeView(decided, purchase) : undefined;
  if (!purchase || !view) return undefined;
  return notifyRequester(deps, view, 'APPROVED', wantsNotices(purchase));
}
