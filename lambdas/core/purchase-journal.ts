import type { AuditEntryInput, AuditLog, PurchaseRecord, PurchaseStore } from './ports';

/**
 * Every workflow step leaves two traces: the purchase's current view (status and references) and
 * an audit entry. They are written in this order so a retried step at worst repeats an audit
 * entry; it never leaves the audit trail claiming a status the purchase record does not have.
 */
export interface PurchaseJournal {
  audit: AuditLog;
  purchases: PurchaseStore;
}

/** Sets the purchase's status (and `patch`), then appends the audit entry. */
export async function recordStep(
  journal: PurchaseJournal,
  purchaseId: string,
  entry: AuditEntryInput,
  patch: Partial<Omit<PurchaseRecord, 'purchaseId' | 'status'>> = {},
): Promise<void> {
  await journal.purchases.update(purchaseId, { ...patch, status: entry.status });
  await journal.audit.append(purchaseId, { actor: 'system', ...entry });
}
