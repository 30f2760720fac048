import type { QuorumView } from './approval-page';
import { stillToDecide } from './approval-round-view';
import type { ApprovalRecord, RoundQuorum } from './ports';
import type { ApprovalDecision } from './workflow';

/** An approval record that holds a decision. */
export type DecidedApproval = ApprovalRecord & { status: 'APPROVED' | 'REJECTED' };

export function isDecided(record: ApprovalRecord): record is DecidedApproval {
  return record.status === 'APPROVED' || record.status === 'REJECTED';
}

/**
 * The Step Functions output of a decision (SendTaskSuccess to RequestApproval), which the
 * ApprovalDecision Choice reads as `$.approval`: the approvals API sends it, and the local runtime
 * hands it on itself when a stop came between recording the decision and delivering it.
 */
export function approvalDecisionOf(record: DecidedApproval, approvers?: readonly string[]): ApprovalDecision {
  return {
    decision: record.status,
    approver: record.approver,
    // A round that needed several approvals: everyone whose approval counted (sorted).
    ...(approvers && approvers.length > 1 ? { approvers: [...approvers] } : {}),
    decidedAt: record.decidedAt ?? '',
    ...(record.comment !== undefined ? { comment: record.comment } : {}),
  };
}

/**
 * Whether `record`'s approval is the one that decided its round needing several: it holds the
 * round's claim AND the round has its quorum (a claim by a link whose approval counts alone would
 * be a rejection through it, never an approval to deliver).
 */
export function decidesRound(record: ApprovalRecord, quorum: RoundQuorum): boolean {
  return quorum.decidedBy === record.approvalId && quorum.approvedBy.length >= quorum.required;
}

/** A round that needs more than one approval (only those show a quorum to people). */
export function needsSeveral(quorum: RoundQuorum | undefined): quorum is RoundQuorum {
  return quorum !== undefined && quorum.required > 1;
}

/** What approvers are shown of a round's quorum: needed, approved so far, asked and not yet approved. */
export function quorumViewOf(quorum: RoundQuorum): QuorumView {
  return { needed: quorum.required, approvedBy: quorum.approvedBy, waitingFor: stillToDecide({ approvers: quorum.asked, approvedBy: quorum.approvedBy }) };
}
