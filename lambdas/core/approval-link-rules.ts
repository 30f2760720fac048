import { decidesRound, needsSeveral } from './approval-decision';
import { PAST_APPROVAL } from './approval-link-context';
import type { ApprovalRecord, RoundQuorum } from './ports';
import type { PurchaseStatus } from './workflow';

/**
 * What a POST of an approval link means, as pure rules (issue #10: a table of inputs -> decisions,
 * test/unit/approval-link-rules.test.ts); ./approval-link-decide.ts reads the records and carries
 * them out.
 */

export const MAX_COMMENT_CHARS = 1000;

/** The form's choice: a decision with its comment, or why it is refused (400). */
export type LinkChoice = { decision: 'APPROVED' | 'REJECTED'; comment: string | undefined } | { refused: string };

export function choiceOf(form: Readonly<Record<string, string | undefined>>): LinkChoice {
  const decision = form.decision === 'approve' ? 'APPROVED' : form.decision === 'reject' ? 'REJECTED' : undefined;
  if (!decision) return { refused: 'Choose Approve or Reject.' };
  const comment = form.comment?.trim() || undefined;
  if (comment !== undefined && comment.length > MAX_COMMENT_CHARS) return { refused: `The comment is longer than ${MAX_COMMENT_CHARS} characters.` };
  return { decision, comment };
}

/**
 * Whether a first decision still has someone waiting for it: not when the purchase has gone past
 * its approval (expired or interrupted: the link is expired; any other: already decided, saying how
 * the purchase stands). An unknown purchase is left to the single-use write to refuse.
 */
export function pastApproval(status: PurchaseStatus | undefined): { page: 'expired' } | { page: 'already-decided'; detail: string } | undefined {
  if (status === undefined || !PAST_APPROVAL.has(status)) return undefined;
  if (status === 'EXPIRED' || status === 'INTERRUPTED') return { page: 'expired' };
  return { page: 'already-decided', detail: purchaseNow(status) };
}

/** How a link's page says where the purchase has gone: "The purchase is now needs attention." */
export function purchaseNow(status: PurchaseStatus): string {
  return `The purchase is now ${status.toLowerCase().replace(/_/g, ' ')}.`;
}

/**
 * A first decision, written: its round was replaced by a newer one (the link is expired), or it
 * is one approval of several that does not decide the round (counted), or it decides (applied:
 * audited and delivered to the machine).
 */
export function afterFirstDecision(decided: ApprovalRecord, quorum: RoundQuorum | undefined): 'round-replaced' | 'count' | 'apply' {
  if (quorum?.replaced) return 'round-replaced';
  return needsSeveral(quorum) && !decidesRound(decided, quorum) ? 'count' : 'apply';
}

/**
 * A POST of a link that already decided (a double click, a second tab, a retry after a failed
 * delivery). Within `redeliverAfterMs` of the decision the request that decided owns the delivery,
 * so nothing is sent again; after it, an approval of several not yet counted is tallied first (once:
 * `tallied` is the tally's quorum), one that did not decide its round is told another link did, and
 * one that decided is delivered again (a closed task then says it was). Whether the round needs
 * several approvals, and whether it was replaced, are judged on the quorum read first (`first`):
 * a tally never turns an approval of several into one that is delivered alone.
 */
export type Redelivery = 'show-decided' | 'show-counted' | 'tally' | 'decided-elsewhere' | 'deliver';

export function redelivery(input: {
  current: ApprovalRecord;
  first: RoundQuorum | undefined;
  tallied?: RoundQuorum;
  sinceDecisionMs: number;
  redeliverAfterMs: number;
}): Redelivery {
  const { current, first, tallied } = input;
  if (first?.replaced) return 'show-decided';
  const several = needsSeveral(first);
  const quorum = tallied ?? first;
  const roundOpen = several && quorum?.decidedBy === undefined;
  if (!(input.sinceDecisionMs >= input.redeliverAfterMs)) return roundOpen ? 'show-counted' : 'show-decided';
  if (roundOpen) return tallied ? 'show-counted' : 'tally';
  if (several && !decidesRound(current, quorum!)) return 'decided-elsewhere';
  return 'deliver';
}
