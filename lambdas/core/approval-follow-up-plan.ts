import { AUDIT, type AuditKind } from './audit-kinds';
import type { ApprovalFollowUpKind } from './approval-mail';
import type { ApprovalRound } from './ports';

/** The audit entry type of each follow-up (its mail's links are named there). */
export const FOLLOW_UP_AUDIT: Record<ApprovalFollowUpKind, AuditKind> = {
  reminder: AUDIT.approvalReminded,
  escalation: AUDIT.approvalEscalated,
  resend: AUDIT.approvalResent,
};

/**
 * When an open approval round is followed up (issue #13, part 1). Pure: the round's times, the
 * policy and the clock in, what is due out; core/approval-follow-up.ts does it.
 *
 * - A reminder is due at each configured offset before the round's expiry. When a run comes late
 *   and several are due, one mail goes out and all of them count as done; an offset whose time
 *   falls before the round was even sent (a link lifetime shorter than the offset) counts as done
 *   without a mail, since the approvers just got the original.
 * - The escalation is due `delaySeconds` after the round was sent, once.
 * - Nothing is due once the round has expired: its links no longer work.
 */

/** The follow-up configuration (lambdas/shared/config.ts approvalFollowUpConfig). */
export interface FollowUpPolicy {
  /** Seconds before the round's expiry at which a reminder goes out. */
  reminderOffsetsSeconds: readonly number[];
  /** Who is asked as well, and after how long; absent or empty approvers: never. */
  escalation?: { approvers: readonly string[]; delaySeconds: number };
}

export interface FollowUpPlan {
  /**
   * A reminder to record: `upTo` offsets are dealt with afterwards; `send` false when the due
   * offsets all fall before the round was sent (recorded, not mailed).
   */
  reminder?: { from: number; upTo: number; offsetSeconds: number; send: boolean };
  escalate: boolean;
}

/** What is due for `round` at `now`. */
export function planFollowUps(
  round: Pick<ApprovalRound, 'sentAt' | 'expiresAt' | 'remindersSent' | 'escalatedAt'>,
  policy: FollowUpPolicy,
  now: Date,
): FollowUpPlan {
  const expires = Date.parse(round.expiresAt);
  const sent = Date.parse(round.sentAt);
  const at = now.getTime();
  if (!(at < expires)) return { escalate: false };

  // Earliest reminder first: the largest offset before expiry comes first.
  const offsets = [...new Set(policy.reminderOffsetsSeconds)].sort((a, b) => b - a);
  const due = offsets.filter((offset) => expires - offset * 1000 <= at).length;
  const plan: FollowUpPlan = { escalate: false };
  if (due > round.remindersSent) {
    const offsetSeconds = offsets[due - 1]!;
    plan.reminder = { from: round.remindersSent, upTo: due, offsetSeconds, send: expires - offsetSeconds * 1000 > sent };
  }
  const escalation = policy.escalation;
  if (escalation && escalation.approvers.length > 0 && round.escalatedAt === undefined) {
    plan.escalate = at >= sent + escalation.delaySeconds * 1000;
  }
  return plan;
}

/** How long a purchase's resend waits after the previous one (POST /purchases/{id}/approvals/resend). */
export const RESEND_MIN_INTERVAL_MS = 5 * 60_000;

/** When `round` may be resent again: now if never resent, else the rate limit after the last. */
export function resendAllowedAt(round: Pick<ApprovalRound, 'resentAt'>): number {
  return round.resentAt === undefined ? 0 : Date.parse(round.resentAt) + RESEND_MIN_INTERVAL_MS;
}
