import { personOf } from './approval-policy';
import type { ApprovalRound, PendingApproval } from './ports';

/**
 * Who an open approval round still waits for, from its item (or the quorum read off it): one
 * reading for the follow-ups' mails, the confirm page and GET /purchases.
 */

/** Everyone the round has asked so far. */
export function askedSoFar(round: Pick<ApprovalRound, 'approvers' | 'escalationApprovers'>): string[] {
  return [...new Set([...round.approvers, ...(round.escalationApprovers ?? [])])];
}

/**
 * Who a reminder or resend goes to, and who GET /purchases says must still decide: everyone asked
 * so far whose approval does not count yet (a round needing several approvals keeps going after
 * the first ones).
 */
export function stillToDecide(round: Pick<ApprovalRound, 'approvers' | 'escalationApprovers' | 'approvedBy'>): string[] {
  const approved = new Set((round.approvedBy ?? []).map(personOf));
  return askedSoFar(round).filter((a) => !approved.has(personOf(a)));
}

/** What GET /purchases shows of an open round: who must still decide, and how many approvals are missing. */
export function pendingApprovalOf(round: Pick<ApprovalRound, 'approvers' | 'escalationApprovers' | 'approvedBy' | 'required' | 'expiresAt'>): PendingApproval {
  const required = round.required ?? 1;
  const approvedBy = round.approvedBy ?? [];
  return {
    approvers: stillToDecide(round),
    expiresAt: round.expiresAt,
    ...(required > 1 ? { approvalsNeeded: Math.max(0, required - approvedBy.length), approvedBy: [...approvedBy] } : {}),
  };
}
