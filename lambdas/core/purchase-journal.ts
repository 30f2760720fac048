import type { AuditEntryInput, AuditLog, AuditOnce, PurchaseRecord, PurchaseStore, PurchaseUpdateOptions } from './ports';

/**
 * Every workflow step leaves two traces: the purchase's current view (status and references) and
 * an audit entry. With `steps` (the DynamoDB journal: one transaction) they are written together,
 * both or neither, in one call. Without it (stores that cannot write both at once) they are
 * written in this order, so a retried step at worst repeats an audit entry; it never leaves the
 * audit trail claiming a status the purchase record does not have.
 */
export interface PurchaseJournal {
  audit: AuditLog;
  purchases: PurchaseStore;
  steps?: StepJournal;
}

/** Writes a step's two traces at once. */
export interface StepJournal {
  /**
   * Sets the purchase's `patch` (its status included) and appends `entry`, both or neither. A
   * purchase that does not exist is refused as `purchases.update` refuses it.
   */
  record(purchaseId: string, entry: AuditEntryInput, patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>): Promise<void>;
  /**
   * Creates a new purchase's record with its first audit entry (written once per `once` key and
   * time, as `audit.append` does), both or neither; whichever is already there is left as it is.
   */
  open(record: PurchaseRecord, entry: AuditEntryInput, once: AuditOnce): Promise<void>;
  /**
   * Appends `entry` and sets `patch` as `purchases.update(purchaseId, patch, options)` does, in
   * one call. The entry is written even when the update is refused; the refusal is then thrown
   * as `update` throws it (PurchaseStatusConflictError, or not found).
   */
  note(purchaseId: string, entry: AuditEntryInput, patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>, options: PurchaseUpdateOptions): Promise<void>;
}

/**
 * Creates a new purchase's record with its first entry (written once per `once`), both in one call
 * with a step journal; otherwise the entry first, so no record is ever without it. Whichever is
 * already there is left as it is.
 */
export async function openStep(
  journal: Omit<PurchaseJournal, 'steps'> & { steps?: Pick<StepJournal, 'open'> },
  record: PurchaseRecord,
  entry: AuditEntryInput,
  once: AuditOnce,
): Promise<void> {
  if (journal.steps) return journal.steps.open(record, entry, once);
  await journal.audit.append(record.purchaseId, entry, once);
  await journal.purchases.create(record);
}

/**
 * Appends the entry, then sets `patch` under `options`: one call with a step journal. The entry
 * is written even when the update is refused, which is thrown as `purchases.update` throws it.
 */
export async function noteStep(
  journal: PurchaseJournal,
  purchaseId: string,
  entry: AuditEntryInput,
  patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>,
  options: PurchaseUpdateOptions,
): Promise<void> {
  if (journal.steps) return journal.steps.note(purchaseId, entry, patch, options);
  await journal.audit.append(purchaseId, entry);
  await journal.purchases.update(purchaseId, patch, options);
}

/** Sets the purchase's status (and `patch`) and appends the audit entry. */
export async function recordStep(
  journal: PurchaseJournal,
  purchaseId: string,
  entry: AuditEntryInput,
  patch: Partial<Omit<PurchaseRecord, 'purchaseId' | 'status'>> = {},
): Promise<void> {
  const step = { actor: 'system', ...entry };
  if (journal.steps) return journal.steps.record(purchaseId, step, { ...patch, status: entry.status });
  await journal.purchases.update(purchaseId, { ...patch, status: entry.status });
  await journal.audit.append(purchaseId, step);
}
