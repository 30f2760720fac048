import { FOLLOW_UP_AUDIT } from './approval-follow-up-plan';
import { AUDIT, lastIndexOfKind } from './audit-kinds';
import { ProcureError } from './errors';
import { formatUsd, sameCents } from './money';
import type { ApprovalRecord, ApprovalStore, AuditEntry, AuditLog } from './ports';
import { describeTier, isApprovedByPolicy, personOf, tierFor, type ApprovalPolicy } from './approval-policy';
import type { PurchaseStatus, Quote, WorkflowState } from './workflow';

/**
 * The money steps (Checkout, BuyLicense) never buy on `$.approval` alone: anyone able to call
 * SendTaskSuccess could write it. They buy only on evidence of their own:
 * - a human decision: the approval records of the purchase's latest approval round (the ids its
 *   APPROVAL_SENT audit entry names, after the latest quote, and those its reminder, escalation and
 *   resend entries name after it, bound to the same task token) hold APPROVED decisions through
 *   the approvals API (approver and time recorded) for exactly the quoted amount from as many
 *   DISTINCT approvers as the round was asked for (its APPROVAL_SENT entry's `approvalsNeeded`,
 *   which RequestApproval took from the amount's tier; at least one), and no rejection. Every
 *   record of the round was minted for someone the round asked, so the approvers are the tier's
 *   people or the escalation's. The round's own requirement, not today's policy, is what the
 *   approvers were asked to meet: a deploy that changes the tiers does not fail the purchases
 *   already approved under the old ones;
 * - or the policy itself: ValidateAndQuote recorded `autoApprove` for this amount in the audit
 *   trail, the purchase was never re-quoted, and the amount's tier in the money step's OWN policy
 *   needs no approval.
 * Anything else is refused (APPROVAL_NOT_VERIFIED audited, ApprovalNotVerifiedError thrown):
 * the state machine's Catch ends the purchase FAILED with nothing bought and the budget released.
 */

/** Thrown before any vendor call when the approval cannot be verified. */
export class ApprovalNotVerifiedError extends ProcureError {
  override name = 'ApprovalNotVerifiedError';
}

/** Audit entry types of follow-ups whose links count as the round's. */
const FOLLOW_UP_TYPES = new Set(Object.values(FOLLOW_UP_AUDIT));
export const AUTO_APPROVER = 'auto-approve policy';

/** Everything the decision rests on, read from the audit trail, the approval records and config. */
export interface ApprovalEvidence {
  purchaseId: string;
  quote: Pick<Quote, 'vendor' | 'amountUsd' | 'autoApprove'>;
  /** `$.mismatch` present: the purchase was re-quoted, which never auto-approves. */
  requoted: boolean;
  /** The money step's own approval policy (APPROVAL_POLICY). */
  policy: ApprovalPolicy;
  /** The latest QUOTED audit entry's detail. */
  quoted?: { amountUsd?: unknown; autoApprove?: unknown };
  /**
   * The latest APPROVAL_SENT audit entry written after that QUOTED entry: the ids of every link of
   * its round, the amount asked about and the distinct approvals it asked for.
   */
  round?: { approvalIds: readonly string[]; amountUsd?: unknown; approvalsNeeded?: unknown };
  /** The approval records of that round's ids (missing ones left out). */
  records: readonly ApprovalRecord[];
}

export type ApprovalVerdict = { verified: true; approver: string; decidedAt?: string; approvalId?: string } | { verified: false; reason: string };

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Pure: whether the evidence proves this purchase was approved at its quoted amount. */
export function checkApproval(e: ApprovalEvidence): ApprovalVerdict {
  const amount = formatUsd(e.quote.amountUsd);
  if (e.quote.autoApprove) {
    if (e.requoted) return refuse('the quote says auto-approved, but the purchase was re-quoted, which always needs a human');
    if (!isApprovedByPolicy(e.policy, e.quote.amountUsd, false))
      return refuse(`the quote says auto-approved, but ${amount} falls in ${describeTier(e.policy, tierFor(e.policy, e.quote.amountUsd))}`);
    if (e.quoted?.autoApprove !== true || !isNumber(e.quoted.amountUsd) || !sameCents(e.quoted.amountUsd, e.quote.amountUsd)) {
      return refuse(`the audit trail has no quote of ${amount} auto-approved by policy`);
    }
    return { verified: true, approver: AUTO_APPROVER };
  }
  if (!e.round) return refuse('no approval was requested after the latest quote (no APPROVAL_SENT audit entry)');
  if (!isNumber(e.round.amountUsd) || !sameCents(e.round.amountUsd, e.quote.amountUsd)) {
    return refuse(`the latest approval request was not for the quoted ${amount}`);
  }
  const ofRound = e.records.filter((r) => r.purchaseId === e.purchaseId && e.round!.approvalIds.includes(r.approvalId));
  const asked = e.round.approvalsNeeded;
  const needed = Math.max(1, typeof asked === 'number' && Number.isInteger(asked) ? asked : 1);
  const rejected = ofRound.find((r) => r.status === 'REJECTED');
  if (rejected) return refuse(`${rejected.approver} rejected it through the approval link`);
  const approvals = new Map<string, ApprovalRecord>();
  for (const r of ofRound) {
    const valid =
      r.status === 'APPROVED' &&
      typeof r.decidedAt === 'string' &&
      r.decidedAt !== '' &&
      r.summary !== undefined &&
      r.summary.vendor === e.quote.vendor &&
      sameCents(r.summary.amountUsd, e.quote.amountUsd);
    if (valid && !approvals.has(personOf(r.approver))) approvals.set(personOf(r.approver), r);
  }
  if (approvals.size >= needed) {
    const decided = [...approvals.values()].sort((a, b) => (a.decidedAt! < b.decidedAt! ? -1 : 1));
    const last = decided[decided.length - 1]!;
    return { verified: true, approver: decided.map((r) => r.approver).join(', '), decidedAt: last.decidedAt, approvalId: last.approvalId };
  }
  if (needed > 1) {
    return refuse(
      `${approvals.size} of the ${needed} distinct approvals the round asked for ${amount} (records: ${ofRound.map((r) => `${r.approver} ${r.status}`).join(', ') || 'none'})`,
    );
  }
  return refuse(`no approver approved ${amount} through the approval link (records: ${ofRound.map((r) => r.status).join(', ') || 'none'})`);
}

function refuse(reason: string): ApprovalVerdict {
  return { verified: false, reason };
}

/** What {@link verifyApproval} reads. */
export interface VerifyApprovalDeps {
  audit: AuditLog;
  approvals: Pick<ApprovalStore, 'get'>;
  policy: ApprovalPolicy;
}

/** The evidence for `state`'s purchase, from the audit trail and the approval records. */
export async function gatherApprovalEvidence(deps: VerifyApprovalDeps, state: WorkflowState, quote: Quote): Promise<ApprovalEvidence> {
  const trail = await deps.audit.list(state.purchaseId);
  const quotedAt = lastIndexOfKind(trail, AUDIT.quoted);
  const quoted = quotedAt >= 0 ? trail[quotedAt]!.detail : undefined;
  const sentAt = lastIndexOfKind(trail, AUDIT.approvalSent);
  const sent = sentAt > quotedAt ? trail[sentAt]!.detail : undefined;
  const idsOf = (detail: Record<string, unknown> | undefined): string[] =>
    Array.isArray(detail?.approvalIds) ? detail.approvalIds.filter((id): id is string => typeof id === 'string') : [];
  const sentIds = idsOf(sent);
  const read = async (list: string[]): Promise<ApprovalRecord[]> =>
    (await Promise.all(list.map((id) => deps.approvals.get(id)))).filter((r): r is ApprovalRecord => r !== undefined);
  // Other links of the same round, counted only when bound to the same task token as its links:
  // reminder, escalation and resend links (core/approval-follow-up.ts), named by the trail after
  // the request, and those of an earlier APPROVAL_SENT of a RequestApproval run again with the
  // same token (after the latest quote).
  const sameRound = (e: AuditEntry, i: number): boolean =>
    (i > sentAt && FOLLOW_UP_TYPES.has(e.type)) || (i > quotedAt && i < sentAt && e.type === AUDIT.approvalSent);
  const otherIds = sent ? trail.flatMap((e, i) => (sameRound(e, i) ? idsOf(e.detail) : [])) : [];
  const [sentRecords, others] = await Promise.all([read(sentIds), read(otherIds)]);
  const tokens = new Set(sentRecords.map((r) => r.taskToken));
  const otherRecords = others.filter((r) => tokens.has(r.taskToken));
  const records = [...sentRecords, ...otherRecords];
  const ids = [...sentIds, ...otherRecords.map((r) => r.approvalId)];
  return {
    purchaseId: state.purchaseId,
    quote,
    requoted: state.mismatch !== undefined,
    policy: deps.policy,
    ...(quoted ? { quoted: { amountUsd: quoted.amountUsd, autoApprove: quoted.autoApprove } } : {}),
    ...(sent ? { round: { approvalIds: ids, amountUsd: sent.amountUsd, approvalsNeeded: sent.approvalsNeeded } } : {}),
    records,
  };
}

/**
 * Verifies `state`'s approval before a money step calls its vendor; on refusal audits
 * APPROVAL_NOT_VERIFIED (with what `$.approval` claimed) and throws ApprovalNotVerifiedError.
 */
export async function verifyApproval(deps: VerifyApprovalDeps, state: WorkflowState, step: string): Promise<void> {
  const quote = state.quote;
  if (!quote) throw new ApprovalNotVerifiedError(`${step} of ${state.purchaseId} has no $.quote to verify an approval for`);
  const verdict = checkApproval(await gatherApprovalEvidence(deps, state, quote));
  if (verdict.verified) return;
  // Where the purchase stands: an approved-by-policy one IN_CART when PreparePurchase parked its
  // item in the vendor's cart ($.cart), RESERVED when it is bought in one call; else still asked.
  const status: PurchaseStatus = quote.autoApprove ? (state.cart ? 'IN_CART' : 'RESERVED') : 'AWAITING_APPROVAL';
  await deps.audit.append(state.purchaseId, {
    type: AUDIT.approvalNotVerified,
    status,
    actor: 'system',
    message: `${step} refused: the approval could not be verified (${verdict.reason}); nothing was bought`,
    detail: {
      step,
      reason: verdict.reason,
      amountUsd: quote.amountUsd,
      claimed: {
        decision: String(state.approval?.decision ?? '').slice(0, 20),
        approver: String(state.approval?.approver ?? '').slice(0, 200),
        decidedAt: String(state.approval?.decidedAt ?? '').slice(0, 40),
      },
    },
  });
  throw new ApprovalNotVerifiedError(`${step} refused for ${state.purchaseId}: the approval could not be verified (${verdict.reason})`);
}
