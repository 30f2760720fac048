import { sendFreshLinks, type FollowUpDeps } from './approval-follow-up';
import { stillToDecide } from './approval-round-view';
import { resendAllowedAt, RESEND_MIN_INTERVAL_MS } from './approval-follow-up-plan';
import { ProcureError } from './errors';

/**
 * POST /purchases/{id}/approvals/resend: mails everyone the open round has asked (and whose
 * approval does not count yet) a fresh link
 * (core/approval-follow-up.ts), at most once per {@link RESEND_MIN_INTERVAL_MS} per purchase (one
 * conditional write on the round), audited APPROVAL_RESENT with the IAM caller as actor.
 */

/** No purchase with that id. */
export class ResendUnknownPurchaseError extends ProcureError {
  override name = 'ResendUnknownPurchaseError';
}
/** The purchase is not waiting for a decision (decided, ended, or its links expired). */
export class ApprovalNotPendingError extends ProcureError {
  override name = 'ApprovalNotPendingError';
}
/** Resent less than the minimum interval ago. */
export class ResendTooSoonError extends ProcureError {
  override name = 'ResendTooSoonError';
  constructor(
    message: string,
    /** Seconds until a resend is accepted again. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export interface ResendResult {
  purchaseId: string;
  resentTo: string[];
  expiresAt: string;
  resentAt: string;
}

export async function resendApproval(deps: FollowUpDeps, purchaseId: string, actor: string): Promise<ResendResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const purchase = await deps.purchases.get(purchaseId);
  if (!purchase) throw new ResendUnknownPurchaseError(`purchase ${purchaseId} not found`);
  const round = await deps.rounds.get(purchaseId);
  if (purchase.status !== 'AWAITING_APPROVAL' || !round) {
    throw new ApprovalNotPendingError(`purchase ${purchaseId} is ${purchase.status}, not waiting for an approval`);
  }
  if (Date.parse(round.expiresAt) <= now.getTime()) throw new ApprovalNotPendingError(`the approval links of ${purchaseId} expired at ${round.expiresAt}`);
  if (await deps.rounds.decided(round)) throw new ApprovalNotPendingError(`purchase ${purchaseId} was already decided`);

  const tooSoon = (allowedAt: number): ResendTooSoonError =>
    new ResendTooSoonError(
      `purchase ${purchaseId} was resent less than ${RESEND_MIN_INTERVAL_MS / 60_000} minutes ago; try again after ${new Date(allowedAt).toISOString()}`,
      Math.max(1, Math.ceil((allowedAt - now.getTime()) / 1000)),
    );
  const allowedAt = resendAllowedAt(round);
  if (allowedAt > now.getTime()) throw tooSoon(allowedAt);
  const notBefore = new Date(now.getTime() - RESEND_MIN_INTERVAL_MS).toISOString();
  if (!(await deps.rounds.mark(round, { kind: 'resend', at: now.toISOString(), notBefore }))) {
    // Another resend won the same window (or a new round opened): the limit holds for it.
    throw tooSoon(now.getTime() + RESEND_MIN_INTERVAL_MS);
  }
  const approvers = stillToDecide(round);
  await sendFreshLinks(deps, round, approvers, 'resend', now, {
    message: `approval links sent again to ${approvers.length} approver(s) on request`,
    actor,
  });
  return { purchaseId, resentTo: approvers, expiresAt: round.expiresAt, resentAt: now.toISOString() };
}
