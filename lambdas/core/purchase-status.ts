import type { AuditEntry, AuditLog, PurchaseRecord, PurchaseStore } from './ports';
import type { PurchaseStatus } from './workflow';

/**
 * GET /purchases/{id}: a purchase's record and audit trail as one view. A rejected request has no
 * purchase record, only a trail, so the view exists when either does, and its status is then the
 * trail's last.
 */

/** Purchase ids are `pur-<hex>` or `invalid-<uuid>`; anything else cannot exist. */
const PURCHASE_ID_PATTERN = /^[A-Za-z0-9-]{1,80}$/;

/** Whether `id` could name a purchase at all (so nothing else is looked up). */
export function isPurchaseId(id: string | undefined): id is string {
  return id !== undefined && PURCHASE_ID_PATTERN.test(id);
}

/** A purchase as GET /purchases/{id} shows it. */
export type PurchaseStatusView = Partial<PurchaseRecord> & {
  purchaseId: string;
  status: PurchaseStatus | undefined;
  audit: Array<Omit<AuditEntry, 'purchaseId'>>;
};

/** The view of one purchase, or undefined when procure knows nothing of it. */
export function statusView(id: string, record: PurchaseRecord | undefined, audit: readonly AuditEntry[]): PurchaseStatusView | undefined {
  if (!record && audit.length === 0) return undefined;
  return {
    ...(record ?? {}),
    purchaseId: id,
    status: record?.status ?? audit.at(-1)?.status,
    audit: audit.map(({ purchaseId: _omit, ...entry }) => entry),
  };
}

/** Reads the record and the trail at once. */
export async function purchaseStatus(deps: { purchases: PurchaseStore; audit: AuditLog }, id: string): Promise<PurchaseStatusView | undefined> {
  const [record, audit] = await Promise.all([deps.purchases.get(id), deps.audit.list(id)]);
  return statusView(id, record, audit);
}
