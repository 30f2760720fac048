import { CLOSING_TYPES } from './outcome-rules';
import { purchaseIdOfItem } from '../vendors/cocalc/core/cart-tag';
import type { CocalcCartItem } from './ports';
import { VENDORS } from './purchase-request';
import { RECONCILE_LIMITS, type CountedReservation, type PurchaseView, type ReconcileSnapshot } from './reconcile';
import type { ReconcileDeps } from './reconcile-deps';
import type { PurchaseStatus } from './workflow';

// What one reconciler run sees (reconcile-runner.ts): the open and NEEDS_ATTENTION purchases of the
// audit trail, the CoCalc cart, the budget counters' live reservations, and the purchases' records
// and executions. What cannot be read is reported in `errors` and decided on next run, not now.

/** Statuses the audit entries that close a purchase carry (outcome-rules.ts CLOSING_TYPES). */
const CLOSED_STATUSES: readonly PurchaseStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'INVALID', 'NEEDS_ATTENTION'];
/** Purchases read per run (records and execution lookups); the rest waits for the next run. */
const MAX_PURCHASES_READ = 200;

/** Reads the snapshot decideReconcile (reconcile.ts) decides on; reads that fail land in `errors`. */
export async function readSnapshot(deps: ReconcileDeps, now: Date, errors: string[]): Promise<ReconcileSnapshot> {
  const { openPurchaseIds, attentionPurchaseIds } = await readTrailPurchaseIds(deps, now);
  const cart = await readCart(deps, now, errors);
  const tagged = unique((cart ?? []).map(purchaseIdOfItem).filter((id): id is string => id !== undefined));
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
  const readable = (item: CocalcCartItem): boolean => {
    const id = purchaseIdOfItem(item);
    return id === undefined || known(id);
  };
  return {
    now,
    ...(cart ? { cart: cart.filter(readable) } : {}),
    openPurchaseIds: openPurchaseIds.filter(known),
    attentionPurchaseIds: attentionPurchaseIds.filter(known),
    reservations: active.filter((r) => known(r.purchaseId)),
    purchases,
  };
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

/** The CoCalc cart with the tagged items bought within the lookback; undefined when it could not be read. */
async function readCart(deps: ReconcileDeps, now: Date, errors: string[]): Promise<CocalcCartItem[] | undefined> {
  let cart: CocalcCartItem[] | undefined;
  try {
    const gateway = await deps.cocalc();
    // The current cart (shopping/cart/get {}) lists only unpurchased items; a tagged item a late or
    // interrupted checkout bought is only in the purchased list (bounded here to the lookback).
    const boughtSince = now.getTime() - RECONCILE_LIMITS.lookbackMs;
    const bought = (await gateway.getPurchasedItems()).filter((i) => purchaseIdOfItem(i) !== undefined && Date.parse(i.purchased?.time ?? '') >= boughtSince);
    // One entry per item; the purchased list is the newer word on an item a stale listing still shows.
    cart = [...new Map([...(await gateway.getCart()), ...bought].map((i) => [i.id, i])).values()];
  } catch (err) {
    errors.push(`CoCalc cart not read (orphan items wait for the next run): ${(err as Error).name}: ${(err as Error).message}`);
  }
  return cart;
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
