/**
 * Every kind of audit entry procure writes (`AuditEntryInput.type`), in one place. Writers and
 * readers name kinds through {@link AUDIT} (or a literal the compiler checks against
 * {@link AuditKind}; a vendor's own kinds are declared in its folder), so an entry read back by its kind (the idempotency checks of RecordOutcome,
 * BuyLicense, AddToCart, ValidateAndQuote, the reconciler) cannot drift from the one written.
 * The audit table stores the kind as a plain string; older entries keep their kind.
 */
export const AUDIT = {
  // intake
  requestReceived: 'REQUEST_RECEIVED',
  requestRejected: 'REQUEST_REJECTED',
  requestConflict: 'REQUEST_CONFLICT',
  // quote and budget
  quoted: 'QUOTED',
  requoted: 'REQUOTED',
  budgetReserved: 'BUDGET_RESERVED',
  budgetRefused: 'BUDGET_REFUSED',
  // a vendor's total differing from the quote (core/quote-mismatch.ts)
  quoteMismatch: 'QUOTE_MISMATCH',
  // approval
  approvalSent: 'APPROVAL_SENT',
  approvalNotDelivered: 'APPROVAL_NOT_DELIVERED',
  approvalDecided: 'APPROVAL_DECIDED',
  /** An approval short of its round's quorum, counted (written by the approval-tiers work on main). */
  approvalCounted: 'APPROVAL_COUNTED',
  approvalNotVerified: 'APPROVAL_NOT_VERIFIED',
  approvalReminded: 'APPROVAL_REMINDED',
  approvalEscalated: 'APPROVAL_ESCALATED',
  approvalResent: 'APPROVAL_RESENT',
  // vendor calls and their results
  vendorCall: 'VENDOR_CALL',
  purchased: 'PURCHASED',
  licenseVerified: 'LICENSE_VERIFIED',
  // the end
  completed: 'COMPLETED',
  notCompleted: 'NOT_COMPLETED',
  compensated: 'COMPENSATED',
  compensationFailed: 'COMPENSATION_FAILED',
  attentionMailSent: 'ATTENTION_MAIL_SENT',
  attentionMailFailed: 'ATTENTION_MAIL_FAILED',
  requesterNotified: 'REQUESTER_NOTIFIED',
  noticeFailed: 'NOTICE_FAILED',
  resolved: 'RESOLVED',
  reconciled: 'RECONCILED',
  // the local runtime's close-out of executions cut off by a stop
  interrupted: 'INTERRUPTED',
  resumed: 'RESUMED',
} as const;

/**
 * The kinds a vendor's own code writes (CoCalc's cart entries), declared in its folder by module
 * augmentation of this interface, one key a kind (lambdas/vendors/cocalc/core/audit-kinds.ts), so
 * that procure's list names no vendor's steps and a new vendor adds its kinds without editing it.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the vendors' module augmentation.
export interface VendorAuditKinds {}

/** The kind of an audit entry: procure's, or one a vendor declares. */
export type AuditKind = (typeof AUDIT)[keyof typeof AUDIT] | keyof VendorAuditKinds;

/** Index of the latest entry of `kind` in a trail (oldest first), or -1 when it has none. */
export function lastIndexOfKind(trail: ReadonlyArray<{ type: string }>, kind: string): number {
  for (let i = trail.length - 1; i >= 0; i -= 1) if (trail[i]!.type === kind) return i;
  return -1;
}
