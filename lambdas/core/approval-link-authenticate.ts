import { isApprovalId, verifyApprovalSignature } from './approval-link';
import type { ApprovalLinkContext } from './approval-link-context';
import { errorPage, type ApprovalPageResult } from './approval-link-pages';
import type { ApprovalRecord } from './ports';

/**
 * The record for a well-formed id and a matching signature, or the page that says why not.
 * Shared by the confirm page (GET) and the decision (POST): both must refuse the same links.
 */
export async function authenticate(ctx: ApprovalLinkContext, id: string | undefined, sig: string | undefined): Promise<ApprovalRecord | ApprovalPageResult> {
  const { deps } = ctx;
  if (!id || !isApprovalId(id)) return errorPage('not-found');
  if (!sig) return errorPage('invalid');
  const record = await deps.approvals.get(id);
  if (!record) return errorPage('not-found');
  // Approver and expiry come from the record, so a signature for another approver or another
  // expiry does not verify.
  const key = await deps.signingKey();
  if (!verifyApprovalSignature({ approvalId: id, approver: record.approver, expiresAt: record.expiresAt }, sig, key)) {
    deps.log.warn('approval link with an invalid signature', { approvalId: id });
    return errorPage('invalid');
  }
  return record;
}
