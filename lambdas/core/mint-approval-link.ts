import { buildApprovalUrl, createApprovalId, signApprovalLink, type SigningKey } from './approval-link';
import type { ApprovalRecord, ApprovalStore } from './ports';

/**
 * One approver's link for a round (the first request, a reminder, an escalation, a resend): the
 * PENDING approval record first, holding the round's task token, so the link works as soon as the
 * mail arrives; then the signed URL, which carries only the record's id.
 */
export async function mintApprovalLink(
  approvals: Pick<ApprovalStore, 'create'>,
  link: Pick<ApprovalRecord, 'purchaseId' | 'approver' | 'taskToken' | 'expiresAt' | 'createdAt' | 'summary' | 'required'>,
  key: SigningKey,
  baseUrl: string,
): Promise<{ approvalId: string; url: string }> {
  const approvalId = createApprovalId();
  await approvals.create({ ...link, approvalId, status: 'PENDING' });
  const sig = signApprovalLink({ approvalId, approver: link.approver, expiresAt: link.expiresAt }, key);
  return { approvalId, url: buildApprovalUrl(baseUrl, approvalId, sig) };
}
