import { CLOSING_TYPES } from './outcome-rules';
import { VENDORS } from './purchase-request';
import { RECONCILE_LIMITS, type CountedReservation, type PurchaseView, type ReconcileSnapshot } from './reconcile';
import type { ReconcileDeps } from './reconcile-deps';
import { leftoversOf, type VendorItem } from './vendor-leftovers';
import { vendorLabel } from './vendor-names';
import type { PurchaseStatus } from './workflow';

// What one reconciler run sees (reconcile-runner.ts): the open and NEEDS_ATTENTION purchases of the
// audit trail, procure's items at the vendors (core/vendor-leftovers.ts), the budget counters' live reservations, and the purchases' records
// and executions. What cannot be read is reported in `errors` and decided on next run, not now.

/** Statuses the audit entries that close a purchase carry (outcome-rules.ts CLOSING_TYPES). */
const CLOSED_STATUSES: readonly PurchaseStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'INVALID', 'NEEDS_ATTENTION'];
/** Purchases read per run (records and execution lookups); the rest waits for the next run. */
const MAX_PURCHASES_READ = 200;

/** What one run read: the snapshot, and whether every vendor's items could be read. */
export interface ReadSnapshot {
  snapshot: ReconcileSnapshot;
  allItemsRead: boolean;
}

/** Reads the snapshot decideReconcile (reconcile.ts) decides on; reads that fail land in `errors`. */
export async function readSnapshot(deps: ReconcileDeps, now: Date, errors: string[]): Promise<ReadSnapshot> {
  const { openPurchaseIds, attentionPurchaseIds } = await readTrailPurchaseIds(deps, now);
  const { items, allRead } = await readVendorItems(deps, now, errors);
  const tagged = unique(items.map((i) => i.purchaseId));
  const active = await readActiveReservations(deps, now, errors);

  // Execution lookups only where a decision depends on one (not for attention-only purchases).
  const needExecution = new Set([...openPurchaseIds, ...tagged, ...active.map((r) => r.purchaseId)]);
  const ids = unique([...openPurchaseIds, ...attentionPurchaseIds, ...tagged, ...active.map((r) => r.purchaseId)]);
  if (ids.length > MAX_PURCHASES_READ) errors.push(`${ids.length - MAX_PURCHASES_READ} purchase(s) left for the next run (read limit ${MAX_PURCHASES_READ})`);
  const purchases = new Map<string, PurchaseView>();
  for (const purchaseId of ids.slice(0, MAX_PURCHASES_READ)) {
    try {
      const record = await deps.purchases.get(purchaseId);
      const view: PurchaseView = record ? { record } : {};
      if (record && needExecution.has(purchaseId)) {
        view.execution = await deps.executions.statusOf(purchaseId, record.executionArn);
      }
      purchases.set(purchaseId, view);
    } catch (err) {
      errors.push(`purchase ${purchaseId} not read: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  // A purchase that could not be read is decided on next time, not now.
  const known = (id: string): boolean => purchases.has(id);
  const snapshot: ReconcileSnapshot = {
    now,
    items: items.filter((i) => known(i.purchaseId)),
    openPurchaseIds: openPurchaseIds.filter(known),
    attentionPurchaseIds: attentionPurchaseIds.filter(known),
    reservations: active.filter((r) => known(r.purchaseId)),
    purchases,
  };
  return { snapshot, allItemsRead: allRead };
}

/** The purchases the audit trail shows open, and those it shows closed as NEEDS_ATTENTION. */
async function readTrailPurchaseIds(deps: ReconcileDeps, now: Date): Promise<{ openPurchaseIds: string[]; attentionPurchaseIds: string[] }> {
  // Open and NEEDS_ATTENTION purchases come from the audit trail's byStatus index (a Query per
  // status; the state table has no index, and a Scan of it would read every approval, lock and
  // counter): every purchase's first entry is RECEIVED, and RecordOutcome's closing entry
  // (COMPLETED / NOT_COMPLETED) carries its final status.
  const since = new Date(now.getTime() - RECONCILE_LIMITS.lookbackMs).toISOString();
  const received = await deps.audit.listByStatus('RECEIVED', { since });
  const closing = (await Promise.all(CLOSED_STATUSES.map((status) => deps.audit.listByStatus(status, { since }))))
    .flat()
    .filter((e) => CLOSING_TYPES.has(e.type));
  const closed = new Set(closing.map((e) => e.purchaseId));
  const openPurchaseIds = unique(received.map((e) => e.purchaseId)).filter((id) => !closed.has(id));
  const attentionPurchaseIds = unique(closing.filter((e) => e.status === 'NEEDS_ATTENTION').map((e) => e.purchaseId));
  return { openPurchaseIds, attentionPurchaseIds };
}

/** procure's items at each vendor that leaves any (bought ones within the lookback); a vendor not read is reported and left out. */
async function readVendorItems(deps: ReconcileDeps, now: Date, errors: string[]): Promise<{ items: VendorItem[]; allRead: boolean }> {
  const items: VendorItem[] = [];
  let allRead = true;
  for (const vendor of VENDORS) {
    try {
      const leftovers = leftoversOf(deps.leftovers, vendor);
      if (!leftovers) continue;
      const listed = await leftovers.list(now.getTime() - RECONCILE_LIMITS.lookbackMs);
      // Its items are taken back through its own port only: one listed under another vendor's name is a wiring fault.
      const foreign = listed.find((i) => i.vendor !== vendor);
      if (foreign) throw new Error(`its listing names item ${foreign.id} as ${foreign.vendor}'s`);
      items.push(...listed);
    } catch (err) {
      allRead = false;
      errors.push(`${vendorLabel(vendor)} items not read (orphan items wait for the next run): ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  return { items, allRead };
}

/** The reservations the budget counters of this month and the last still count, and whose money may still move. */
async function readActiveReservations(deps: ReconcileDeps, now: Date, errors: string[]): Promise<CountedReservation[]> {
  const reservations: CountedReservation[] = [];
  for (const vendor of VENDORS) {
    for (const month of [utcMonth(now), utcMonth(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)))]) {
      try {
        reservations.push(...(await deps.reservations.counted(vendor, month)));
      } catch (err) {
        errors.push(`budget counter ${vendor} ${month} not read: ${(err as Error).message}`);
      }
    }
  }
  const active = reservations.filter((r) => r.status !== 'COMMITTED' && r.status !== 'RELEASED');
  return active;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}
