import type { Vendor } from './purchase-request';

// Approval links and rounds (part of core/ports.ts; procure's own state, adapters in lambdas/adapters/aws).

export interface ApprovalRecord {
  approvalId: string;
  purchaseId: string;
  approver: string;
  /** Step Functions task token: stays in the table, never in a link, mail, log or audit entry. */
  taskToken: string;
  expiresAt: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';
  createdAt: string;
  decidedAt?: string;
  comment?: string;
  /** What was mailed to the approver, shown again on the confirm page (a snapshot, not live data). */
  summary?: ApprovalSummary;
  /** Distinct approvals the link's round needs, when more than one (its round item holds the count). */
  required?: number;
}
/** The purchase as the approver was asked to approve it. No secrets: it is rendered into mail and HTML. */
export interface ApprovalSummary {
  vendor: Vendor;
  /** The quote's one-line item summary. */
  item: string;
  amountUsd: number;
  requester: { name: string; email: string };
  reason: string;
  /** Set when approval is asked again because the vendor's total changed. */
  mismatch?: string;
}
export interface ApprovalStore {
  create(record: ApprovalRecord): Promise<void>;
  get(approvalId: string): Promise<ApprovalRecord | undefined>;
  /**
   * Single-use: PENDING and not expired -> decided, with a conditional update. A rejection, or an
   * approval that completes its round's quorum, also claims the round's one decision so no other
   * link can decide it again; an approval short of the quorum is counted on the round instead
   * ({@link quorum} tells which). Throws ApprovalAlreadyDecidedError (this link was used, another
   * link decided the round, or this approver's approval already counts) / ApprovalExpiredError and
   * changes nothing then.
   */
  decide(approvalId: string, decision: { status: 'APPROVED' | 'REJECTED'; decidedAt: string; comment?: string }, now: Date): Promise<DecidedRecord>;
  /** Where the round of `record` stands: how many approvals it needs, who approved, who decided it. */
  quorum(record: ApprovalRecord): Promise<RoundQuorum>;
  /**
   * Counts `record` (APPROVED) on its round again and claims the round when that completes the
   * quorum: finishes a decide() cut off between its steps. Idempotent.
   */
  tally(record: ApprovalRecord): Promise<RoundQuorum>;
}

/** A decided approval record and, for an approval, where its round stood right after (what decide() read and wrote). */
export type DecidedRecord = ApprovalRecord & { quorum?: RoundQuorum };

/** An approval round's quorum (issue #13, part 2; core/approval-policy.ts). */
export interface RoundQuorum {
  /** Distinct approvals the round needs (1 for rounds opened before quorums existed). */
  required: number;
  /** Distinct approvers whose approval counts so far, lower-cased. */
  approvedBy: string[];
  /** Everyone the round has asked so far (first request and escalation). */
  asked: string[];
  /** The approval whose link decided the round (a rejection, or the approval completing it). */
  decidedBy?: string;
  /** The purchase's round is another one now (a re-quote asked again): this link decides nothing. */
  replaced?: boolean;
}

/**
 * The approval round RequestApproval opened last for a purchase (state table PURCHASE#<id> /
 * APPROVAL_ROUND): what the follow-ups (reminders, escalation, resend; core/approval-follow-up.ts)
 * need to mint fresh links for the same open task. Holds the task token: it never leaves the table.
 */
export interface ApprovalRound {
  purchaseId: string;
  /** Id of the round (a hash of its task token): the key its first decision claims. */
  round: string;
  taskToken: string;
  sentAt: string;
  /** When every link of the round stops working (the links minted later expire with it). */
  expiresAt: string;
  /** The approvers RequestApproval mailed. */
  approvers: string[];
  /** Distinct approvals the round needs; absent = 1 (rounds opened before quorums existed). */
  required?: number;
  /** Who has approved so far (lower-cased), while the round needs more than one approval. */
  approvedBy?: string[];
  summary: ApprovalSummary;
  /** How many of the configured reminder offsets have been dealt with (sent or skipped). */
  remindersSent: number;
  /** Set once the escalation approvers were mailed. */
  escalatedAt?: string;
  escalationApprovers?: string[];
  /** The latest resend (POST /purchases/{id}/approvals/resend), for its rate limit. */
  resentAt?: string;
}

/** A change to a round, applied only if the round is still the one read and its guard holds. */
export type ApprovalRoundMark =
  | { kind: 'reminder'; from: number; to: number }
  | { kind: 'escalation'; at: string; approvers: string[] }
  | { kind: 'resend'; at: string; notBefore: string };

export interface ApprovalRounds {
  /** Records a new round, replacing the purchase's previous one (a re-quote asks again). */
  open(round: Omit<ApprovalRound, 'round' | 'remindersSent'>): Promise<ApprovalRound>;
  get(purchaseId: string): Promise<ApprovalRound | undefined>;
  /** True once any link of the round decided it (its DECISION# claim exists). */
  decided(round: Pick<ApprovalRound, 'purchaseId' | 'round'>): Promise<boolean>;
  /**
   * One conditional write: true for the one caller whose mark applies (same round; reminders
   * counted `from`; not yet escalated; no resend since `notBefore`), false for every other.
   */
  mark(round: Pick<ApprovalRound, 'purchaseId' | 'round'>, change: ApprovalRoundMark): Promise<boolean>;
}
