import { isDecided, type DecidedApproval } from './approval-decision';
import { authenticate } from './approval-link-authenticate';
import { ROUND_REPLACED, type ApprovalLinkContext, type ApprovalLinkRequest } from './approval-link-context';
import { afterFirstDecision, choiceOf, pastApproval, redelivery } from './approval-link-rules';
import { countApproval, deliverDecision, recordDecision } from './approval-link-effects';
import { countedPage, decidedDetail, decidedPage, errorPage, type ApprovalPageResult } from './approval-link-pages';
import { repairApprovalId, repairSignature } from './approval-link-repair';
import { ApprovalAlreadyDecidedError, ApprovalExpiredError, ApprovalNotFoundError, InvalidRequestError, TaskClosedError } from './errors';
import { notifyApproval } from './notify-requester';
import type { ApprovalRecord, DecidedRecord, PurchaseRecord } from './ports';

/*
 * POST /approvals/{id}: verify, single-use decide, audit, then SendTaskSuccess. Split in three:
 * reading the form (decideFromLink), a second POST of a link that already decided (redecide),
 * and the first decision's write and delivery (applyDecision).
 */

/** The POST: the form read and checked, then a redelivery or a first decision. */
export async function decideFromLink(ctx: ApprovalLinkContext, event: ApprovalLinkRequest): Promise<ApprovalPageResult> {
  const { deps } = ctx;
  let form: Record<string, string>;
  try {
    form = event.readForm();
  } catch (err) {
    if (err instanceof InvalidRequestError) return errorPage('invalid', err.message, 400);
    throw err;
  }
  const rawId = event.rawId;
  const auth = await authenticate(ctx, repairApprovalId(rawId) ?? rawId, repairSignature(form.sig) ?? form.sig);
  if (!('approvalId' in auth)) return auth;
  const current = auth;

  if (isDecided(current)) return redecide(ctx, current, event);

  const choice = choiceOf(form);
  if ('refused' in choice) return errorPage('invalid', choice.refused, 400);

  // The machine may have stopped waiting (expired, interrupted) or another approver decided:
  // then this link decides nothing, and the record and the trail stay as they are.
  const purchase = await deps.purchases.get(current.purchaseId);
  const past = pastApproval(purchase?.status);
  if (past) return past.page === 'expired' ? errorPage('expired') : errorPage('already-decided', past.detail);
  return applyDecision(ctx, current, choice, event, purchase);
}

/** A POST of a link that already decided: a double click, a second tab, or a retry after a failed delivery. */
async function redecide(ctx: ApprovalLinkContext, current: DecidedApproval, event: ApprovalLinkRequest): Promise<ApprovalPageResult> {
  const { deps, clock, redeliverAfterMs, notices } = ctx;
  // The request that decided may still be delivering (a double click, two tabs): it owns the
  // delivery until it has certainly finished. Re-sending now would race it and make it report
  // a closed task as "expired" for a decision that was applied.
  const sinceDecisionMs = clock().getTime() - Date.parse(current.decidedAt ?? '');
  const first = current.status === 'APPROVED' ? await deps.approvals.quorum(current) : undefined;
  let quorum = first;
  let step = redelivery({ current, first, sinceDecisionMs, redeliverAfterMs });
  if (step === 'tally') {
    // An approval cut off before it was counted (or before it claimed the round it completed):
    // counting again is idempotent.
    quorum = await deps.approvals.tally(current);
    step = redelivery({ current, first, tallied: quorum, sinceDecisionMs, redeliverAfterMs });
  }
  if (step === 'show-decided') return errorPage('already-decided', decidedDetail(current));
  if (step === 'show-counted') return countedPage(current, quorum!);
  if (step === 'decided-elsewhere') return errorPage('already-decided', 'Your approval was recorded; the purchase was decided through another link.');
  // This link already decided. If delivering that decision failed earlier, the token is still
  // open and this completes it; otherwise Step Functions says the task is closed.
  try {
    await deliverDecision(ctx, current, quorum);
  } catch (err) {
    if (err instanceof TaskClosedError) return errorPage('already-decided', decidedDetail(current));
    throw err;
  }
  await recordDecision(ctx, current, event, true, quorum);
  await notifyApproval(notices, current);
  return decidedPage(current);
}

/** The first decision of a link: the single-use write, then the count, or the audit and the delivery. */
async function applyDecision(
  ctx: ApprovalLinkContext,
  current: ApprovalRecord,
  { decision, comment }: { decision: 'APPROVED' | 'REJECTED'; comment: string | undefined },
  event: ApprovalLinkRequest,
  purchase: PurchaseRecord | undefined,
): Promise<ApprovalPageResult> {
  const { deps, clock, notices } = ctx;
  const now = clock();
  let result: DecidedRecord;
  try {
    result = await deps.approvals.decide(
      current.approvalId,
      { status: decision, decidedAt: now.toISOString(), ...(comment !== undefined ? { comment } : {}) },
      now,
    );
  } catch (err) {
    if (err instanceof ApprovalExpiredError) return errorPage('expired');
    if (err instanceof ApprovalAlreadyDecidedError) {
      const latest = await deps.approvals.get(current.approvalId);
      return errorPage('already-decided', latest ? decidedDetail(latest) : undefined);
    }
    if (err instanceof ApprovalNotFoundError) return errorPage('not-found');
    throw err;
  }
  // The record alone goes on (audit, delivery); the quorum decide() saw saves reading it again.
  const { quorum: known, ...decided } = result;
  if (!isDecided(decided)) throw new Error(`approval ${decided.approvalId} is ${decided.status} after deciding`);
  const quorum = decided.status === 'APPROVED' ? (known ?? (await deps.approvals.quorum(decided))) : undefined;
  const next = afterFirstDecision(decided, quorum);
  // The purchase was asked about again while this approval was on its way: the round it belongs
  // to is over, and the new one must not look decided.
  if (next === 'round-replaced') return errorPage('expired', ROUND_REPLACED);
  if (next === 'count') return countApproval(ctx, decided, quorum!, event);

  await recordDecision(ctx, decided, event, false, quorum);
  try {
    await deliverDecision(ctx, decided, quorum);
  } catch (err) {
    if (!(err instanceof TaskClosedError)) throw err;
    // Rare: the link outlived the task (aborted execution, or a timeout configured shorter than
    // the link). The machine has moved on without this decision; say so in the trail.
    await deps.audit.append(decided.purchaseId, {
      type: 'APPROVAL_NOT_DELIVERED',
      status: 'EXPIRED',
      message: 'the approval arrived after the workflow stopped waiting for it',
      detail: { approvalId: decided.approvalId, decision: decided.status },
      actor: decided.approver,
    });
    return errorPage('expired', 'The workflow had already stopped waiting; your decision was recorded but not applied.');
  }
  await notifyApproval(notices, decided, purchase);
  return decidedPage(decided);
}
