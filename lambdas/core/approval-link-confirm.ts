import { isDecided, needsSeveral, quorumViewOf } from './approval-decision';
import { authenticate } from './approval-link-authenticate';
import { PAST_APPROVAL, ROUND_REPLACED, type ApprovalLinkContext, type ApprovalLinkRequest } from './approval-link-context';
import { decidedDetail, errorPage, type ApprovalPageResult } from './approval-link-pages';
import { purchaseNow } from './approval-link-rules';
import { canonicalApprovalRef, repairApprovalId, repairSignature } from './approval-link-repair';
import { renderConfirmPage } from './approval-page';
import { personOf } from './approval-policy';
import { budgetLeft } from './budget-left';

/**
 * GET /approvals/{id}?sig=: the confirm page. Changes nothing (mail scanners open links); a
 * mangled link that verifies is redirected to its canonical form.
 */
export async function confirm(ctx: ApprovalLinkContext, event: ApprovalLinkRequest): Promise<ApprovalPageResult> {
  const { deps, clock } = ctx;
  const query = event.query;
  const rawSig = query.sig ?? query['amp;sig'];
  const rawId = event.rawId;
  const id = repairApprovalId(rawId) ?? rawId;
  const sig = repairSignature(rawSig) ?? rawSig;
  const auth = await authenticate(ctx, id, sig);
  if (!('approvalId' in auth)) return auth;
  // Only a link that verifies is redirected: the redirect must not vouch for anything else.
  const path = event.path;
  if (id !== rawId || sig !== query.sig || path.endsWith('/')) {
    return { redirect: canonicalApprovalRef(path, auth.approvalId, sig!) };
  }
  const record = auth;
  const now = clock();
  if (isDecided(record)) return errorPage('already-decided', decidedDetail(record));
  if (record.status === 'EXPIRED' || Date.parse(record.expiresAt) <= now.getTime()) return errorPage('expired');
  if (!record.summary) return errorPage('unavailable', 'This approval has no purchase details.', 500);
  // Another approver may have decided already; say so instead of offering buttons that will
  // only get a 409. (Only a hint: the POST's conditional writes are the real guard.)
  const purchase = await deps.purchases.get(record.purchaseId);
  if (purchase && PAST_APPROVAL.has(purchase.status)) {
    return errorPage('already-decided', purchaseNow(purchase.status));
  }
  // Display only (the POST enforces it all): the quorum of a link minted for a round needing several.
  const [budget, quorum] = await Promise.all([
    budgetLeft(deps.spendGuard, record.summary.vendor, now, deps.log),
    (record.required ?? 1) > 1 ? deps.approvals.quorum(record) : undefined,
  ]);
  if (quorum?.replaced) return errorPage('expired', ROUND_REPLACED);
  if (needsSeveral(quorum) && quorum.approvedBy.includes(personOf(record.approver))) {
    return errorPage('already-decided', `${record.approver} already approved it through another link; that approval counts once.`);
  }
  return {
    status: 200,
    html: renderConfirmPage({
      approvalId: record.approvalId,
      signature: sig!,
      approver: record.approver,
      expiresAt: record.expiresAt,
      summary: record.summary,
      ...(budget ? { budget } : {}),
      ...(needsSeveral(quorum) ? { quorum: quorumViewOf(quorum) } : {}),
    }),
  };
}
