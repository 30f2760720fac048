import { approvalDecisionOf, needsSeveral, type DecidedApproval } from './approval-decision';
import { NOT_OVERWRITTEN_BY_A_DECISION, type ApprovalLinkContext, type ApprovalLinkRequest } from './approval-link-context';
import { countedPage, errorPage, type ApprovalPageResult } from './approval-link-pages';
import { pendingApprovalOf } from './approval-round-view';
import { ProcureError } from './errors';
import type { AuditEntryInput, RoundQuorum } from './ports';

/*
 * What a decided link does besides answering: the audit entry, the purchase's status, and the
 * task token's callback. Shared by a first decision and a redelivery of one.
 */

/** Audits the decision and moves the purchase's status; both before the machine hears of it. */
export async function recordDecision(
  ctx: ApprovalLinkContext,
  decided: DecidedApproval,
  event: ApprovalLinkRequest,
  redelivered: boolean,
  quorum?: RoundQuorum,
): Promise<void> {
  const { deps } = ctx;
  const several = needsSeveral(quorum) && decided.status === 'APPROVED';
  const entry: AuditEntryInput = {
    type: 'APPROVAL_DECIDED',
    status: decided.status,
    message: several
      ? `${decided.approver} approved the purchase, completing ${quorum!.approvedBy.length} of ${quorum!.required} distinct approvals (${quorum!.approvedBy.join(', ')})`
      : `${decided.approver} ${decided.status === 'APPROVED' ? 'approved' : 'rejected'} the purchase`,
    detail: {
      approvalId: decided.approvalId,
      decision: decided.status,
      approver: decided.approver,
      ...(several ? { approvers: quorum!.approvedBy, required: quorum!.required } : {}),
      decidedAt: decided.decidedAt,
      ...(decided.comment !== undefined ? { comment: decided.comment } : {}),
      ...event.caller,
      ...(redelivered ? { redelivered: true } : {}),
    },
    actor: decided.approver,
  };
  const status = { status: decided.status };
  const options = { unlessStatusIn: NOT_OVERWRITTEN_BY_A_DECISION };
  // The audit entry is the record of truth; a status write must not block the decision.
  const statusNotWritten = (err: unknown) => deps.log.warn('could not update the purchase status', { purchaseId: decided.purchaseId, error: err as Error });
  if (deps.steps) {
    // One call: a failure of the whole write is the entry's and is thrown; a refused status is not.
    await deps.steps.note(decided.purchaseId, entry, status, options).catch((err: unknown) => {
      // A refused update is a ProcureError (status conflict, no such purchase); AWS errors are not.
      if (!(err instanceof ProcureError)) throw err;
      statusNotWritten(err);
    });
    return;
  }
  await deps.audit.append(decided.purchaseId, entry);
  await deps.purchases.update(decided.purchaseId, status, options).catch(statusNotWritten);
}

/**
 * Sends the stored decision. Step Functions accepts a token once, so sending again after a
 * failure that left the token open is safe, and a closed token is reported as TaskClosedError.
 */
export async function deliverDecision(ctx: ApprovalLinkContext, decided: DecidedApproval, quorum?: RoundQuorum): Promise<void> {
  const approvers = needsSeveral(quorum) && decided.status === 'APPROVED' ? quorum.approvedBy : undefined;
  await ctx.deps.callback.succeed(decided.taskToken, { ...approvalDecisionOf(decided, approvers) });
}

/**
 * An approval that counts but does not complete its round: audited, shown on GET /purchases
 * (who must still decide), and answered with what is still needed. Nothing is delivered.
 */
export async function countApproval(
  ctx: ApprovalLinkContext,
  decided: DecidedApproval,
  quorum: RoundQuorum,
  event: ApprovalLinkRequest,
): Promise<ApprovalPageResult> {
  const { deps } = ctx;
  await deps.audit.append(decided.purchaseId, {
    type: 'APPROVAL_COUNTED',
    status: 'AWAITING_APPROVAL',
    message: `${decided.approver} approved the purchase: ${quorum.approvedBy.length} of ${quorum.required} distinct approvals`,
    detail: {
      approvalId: decided.approvalId,
      decision: decided.status,
      approver: decided.approver,
      decidedAt: decided.decidedAt,
      approvedBy: quorum.approvedBy,
      required: quorum.required,
      ...(decided.comment !== undefined ? { comment: decided.comment } : {}),
      ...event.caller,
    },
    actor: decided.approver,
  });
  if (quorum.decidedBy !== undefined) {
    // Another link decided the round between this approval's count and now: a rejection, or
    // another approval that completed the quorum with this one counted.
    return errorPage('already-decided', 'Your approval was recorded, but the purchase was decided through another link.');
  }
  try {
    const pendingApproval = pendingApprovalOf({
      approvers: quorum.asked,
      approvedBy: quorum.approvedBy,
      required: quorum.required,
      expiresAt: decided.expiresAt,
    });
    await deps.purchases.update(decided.purchaseId, { pendingApproval }, { ifStatusIn: ['AWAITING_APPROVAL'] });
  } catch (err) {
    // Display only: the round item holds the count.
    deps.log.warn('could not update who must still decide', { purchaseId: decided.purchaseId, error: err as Error });
  }
  return countedPage(decided, quorum);
}
