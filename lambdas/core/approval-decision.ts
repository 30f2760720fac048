import type { ApprovalRecord } from './ports';
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
export function approvalDecisionOf(record: DecidedApproval): ApprovalDecision {
  return {
    decision: record.status,
    approver: record.approver,
    decidedAt: record.decidedAt ?? '',
    ...(record.comment !== undefined ? { comment: record.comment } : {}),
  };
}
