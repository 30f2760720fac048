import { AUDIT, type AuditKind } from './audit-kinds';
import { CLEANUP_STEPS } from './cleanup-steps';
import { purchaseIdOfItem } from './cocalc-cart-tag';
import { VendorRejectedError } from './errors';
import type { AuditEntry, AuditLog, CocalcCartItem, CocalcGateway, EventPublisher, PurchaseRecord, PurchaseStore, SpendGuard } from './ports';
import { VENDORS, type PurchaseRequest, type Vendor } from './purchase-request';
import {
  boughtItemNeedsNote,
  decideReconcile,
  ENDED_UNSPENT,
  RECONCILE_LIMITS,
  RECONCILED,
  RECONCILER_ACTOR,
  type BoughtItem,
  type CountedReservation,
  type PurchaseView,
  type ReconcileAction,
  type ReconcileSnapshot,
} from './reconcile';
import { EVENTS, type PurchaseStatus, type WorkflowState } from './workflow';

/**
 * One reconciler run (decision 7): read a snapshot through the ports, decide (reconcile.ts),
 * apply the actions, and write each one to the audit trail of the purchase concerned (actor
 * `reconciler`, with what it saw and what it did). Bounded: at most RECONCILE_LIMITS.maxActions
 * actions, and none started once the invocation is close to its deadline; what is left waits for
 * the next run. A failed action changes nothing the next run cannot redo; it is reported, not
 * thrown, so one stuck purchase does not stop the others.
 */

/** The budget counters' view of reservations (read-only). */
export interface ReservationLedger {
  /** Every purchase the vendor's budget counter for `month` (YYYY-MM) still counts, with its reservation record. */
  counted(vendor: Vendor, month: string): Promise<CountedReservation[]>;
}

/** Step Functions' view of a purchase's execution (named after the purchase). */
export interface ExecutionStatusReader {
  /** `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, ..., or `MISSING` when there is none. */
  statusOf(purchaseId: string, executionArn?: string): Promise<string>;
}

/** RecordNotCompleted's own code path (lambdas/handlers/record-outcome.ts), for one purchase. */
export type ClosePurchase = (state: WorkflowState) => Promise<{ status: PurchaseStatus; reason?: string }>;

export interface ReconcileDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  spendGuard: Pick<SpendGuard, 'release'>;
  reservations: ReservationLedger;
  executions: ExecutionStatusReader;
  cocalc: () => Promise<CocalcGateway>;
  events: EventPublisher;
  closePurchase: ClosePurchase;
  clock?: () => Date;
  /** Milliseconds left in this invocation (the Lambda context's getRemainingTimeInMillis). */
  remainingMs?: () => number;
}

/** What one run saw and did (the handler's result and log line). */
export interface ReconcileReport {
  startedAt: string;
  saw: {
    openPurchases: number;
    attentionPurchases: number;
    /** null when the cart could not be read. */
    cartItems: number | null;
    taggedCartItems: number;
    countedReservations: number;
  };
  actions: Array<{ kind: ReconcileAction['kind']; purchaseId: string; outcome: string }>;
  /** Actions decided but left for the next run (limits, deadline). */
  deferred: number;
  /** What could not be read or done this run. */
  errors: string[];
}

/** Audit entry types after which RecordOutcome (or a person, RESOLVED) has closed a purchase. */
const CLOSING_TYPES: ReadonlySet<AuditKind> = new Set([AUDIT.completed, AUDIT.notCompleted, AUDIT.resolved]);
/** Statuses those entries carry. */
const CLOSED_STATUSES: readonly PurchaseStatus[] = ['COMPLETED', 'REJECTED', 'EXPIRED', 'FAILED', 'INVALID', 'NEEDS_ATTENTION'];
/** Purchases read per run (records and execution lookups); the rest waits for the next run. */
const MAX_PURCHASES_READ = 200;
/** No action starts with less time than this left: closing one purchase may call the vendor. */
const DEADLINE_MARGIN_MS = 20_000;

export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const now = (deps.clock ?? (() => new Date()))();
  const errors: string[] = [];
  const snapshot = await readSnapshot(deps, now, errors);
  const decided = decideReconcile(snapshot);
  const report: ReconcileReport = {
    startedAt: now.toISOString(),
    saw: {
      openPurchases: snapshot.openPurchaseIds.length,
      attentionPurchases: snapshot.attentionPurchaseIds.length,
      cartItems: snapshot.cart ? snapshot.cart.length : null,
      taggedCartItems: (snapshot.cart ?? []).filter((i) => purchaseIdOfItem(i) !== undefined).length,
      countedReservations: snapshot.reservations.length,
    },
    actions: [],
    deferred: 0,
    errors,
  };
  for (const [i, action] of decided.entries()) {
    if (i >= RECONCILE_LIMITS.maxActions || (deps.remainingMs && deps.remainingMs() < DEADLINE_MARGIN_MS)) {
      report.deferred = decided.length - i;
      break;
    }
    try {
      const outcome = await apply(deps, action, snapshot.purchases.get(action.purchaseId) ?? {});
      // A finding already in the audit trail changed nothing: the report lists what was done.
      if (outcome !== ALREADY_NOTED) report.actions.push({ kind: action.kind, purchaseId: action.purchaseId, outcome });
    } catch (err) {
      report.actions.push({ kind: action.kind, purchaseId: action.purchaseId, outcome: 'failed' });
      errors.push(`${action.kind} ${action.purchaseId}: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  return report;
}

// ---- the snapshot --------------------------------------------------------------------------

async function readSnapshot(deps: ReconcileDeps, now: Date, errors: string[]): Promise<ReconcileSnapshot> {
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
  const tagged = unique((cart ?? []).map(purchaseIdOfItem).filter((id): id is string => id !== undefined));

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

// ---- the actions ---------------------------------------------------------------------------

async function apply(deps: ReconcileDeps, action: ReconcileAction, view: PurchaseView): Promise<string> {
  switch (action.kind) {
    case 'close-purchase':
      return closeStalePurchase(deps, action, view.record!);
    case 'finish-cleanup':
      return finishCleanup(deps, action, view.record!);
    case 'delete-orphan-item':
      return deleteOrphanItem(deps, action, view.record);
    case 'note-bought-item':
      return noteBoughtItem(deps, action.purchaseId, action.item, view.record);
    case 'release-reservation':
      return releaseReservation(deps, action);
  }
}

/** Closes a purchase no execution will finish, through RecordNotCompleted's own code. */
async function closeStalePurchase(deps: ReconcileDeps, action: Extract<ReconcileAction, { kind: 'close-purchase' }>, record: PurchaseRecord): Promise<string> {
  const { purchaseId, status, execution, updatedAt } = action;
  const trail = await deps.audit.list(purchaseId);
  const seen = execution === 'MISSING' ? 'no execution' : `its execution ${execution}`;
  const cause = `the reconciler found ${seen} for this purchase, left ${status} since ${updatedAt}`;
  // INTERRUPTED overwrote the status the runtime stopped in; the trail still shows whether the
  // purchase had reached the vendor purchase step, and then only a person can tell what was bought.
  const mayHaveBought = status === 'INTERRUPTED' && trail.some((e) => e.status === 'PURCHASING' || e.status === 'PURCHASED');
  const state: WorkflowState = {
    purchaseId,
    request: requestOf(trail, record),
    source: sourceOf(trail),
    receivedAt: record.createdAt,
    ...(record.cartItemId !== undefined ? { cart: { itemId: record.cartItemId } } : {}),
    ...(record.amountUsd !== undefined ? { quote: { vendor: record.vendor, amountUsd: record.amountUsd, summary: '', autoApprove: false } } : {}),
    failure: { Error: mayHaveBought ? 'PurchaseOutcomeUnknownError' : 'Reconciler.NoLiveExecution', Cause: cause },
  };
  const result = await deps.closePurchase(state);
  await deps.audit.append(purchaseId, {
    type: RECONCILED,
    status: result.status,
    actor: RECONCILER_ACTOR,
    message: `Closed a purchase no execution will finish (${seen}, status ${status} since ${updatedAt}): RecordNotCompleted ended it ${result.status}`,
    detail: {
      action: action.kind,
      saw: { status, execution, updatedAt },
      did: { closedAs: result.status, ...(result.reason ? { reason: result.reason } : {}) },
    },
  });
  return result.status;
}

/**
 * Retries the compensation RecordNotCompleted could not finish. The cart item first: once the
 * vendor deletes it (it deletes only unbought items) nothing can have been bought, so the budget
 * is released and the purchase ends as RecordNotCompleted meant it to (`statusAfterCleanup` on
 * its closing entry; FAILED when that is not known). Found bought, it stays NEEDS_ATTENTION with
 * the budget kept, and the finding is audited.
 */
async function finishCleanup(deps: ReconcileDeps, action: Extract<ReconcileAction, { kind: 'finish-cleanup' }>, record: PurchaseRecord): Promise<string> {
  const { purchaseId, steps, cartItemId } = action;
  let cartItem = 'none';
  if (steps.includes(CLEANUP_STEPS.deleteCartItem) && cartItemId !== undefined) {
    const found = await deleteOrInspect(await deps.cocalc(), cartItemId);
    if (found.outcome === 'bought') {
      const reason = `${record.reason ?? 'cleanup pending'}; the reconciler found CoCalc cart item ${cartItemId} BOUGHT${found.item.licenseId ? ` (license ${found.item.licenseId})` : ''}`;
      await deps.purchases.update(purchaseId, { cleanupPending: [], reason }, { ifStatusIn: ['NEEDS_ATTENTION'] });
      await deps.audit.append(purchaseId, {
        type: RECONCILED,
        status: 'NEEDS_ATTENTION',
        actor: RECONCILER_ACTOR,
        message: `ATTENTION: the cart item this purchase was to delete (${cartItemId}) was BOUGHT at CoCalc; the budget reservation is KEPT. Check the account and settle the purchase by hand.`,
        detail: { action: action.kind, saw: { steps, cartItemId, item: found.item }, did: { cartItem: 'found-bought', budgetReleased: false } },
      });
      return 'found-bought';
    }
    cartItem = found.outcome;
  }
  await deps.spendGuard.release(purchaseId);
  const status = await statusAfterCleanup(deps, purchaseId);
  const reason = `${record.reason ?? 'the purchase did not complete'}; cleanup finished by the reconciler (cart item ${cartItem === 'none' ? 'none' : `${cartItemId} ${cartItem}`}, budget released)`;
  await deps.purchases.update(purchaseId, { status, cleanupPending: [], reason }, { ifStatusIn: ['NEEDS_ATTENTION'] });
  await deps.events.publish(status === 'REJECTED' ? EVENTS.rejected : EVENTS.failed, {
    purchaseId,
    requestId: record.requestId,
    vendor: record.vendor,
    status,
    reason,
    amountUsd: record.amountUsd,
  });
  await deps.audit.append(purchaseId, {
    type: RECONCILED,
    status,
    actor: RECONCILER_ACTOR,
    message: `Cleanup finished: ${cartItem === 'none' ? 'no cart item to delete' : `CoCalc cart item ${cartItemId} ${cartItem} (not bought)`}; budget reservation released; the purchase is ${status}`,
    detail: {
      action: action.kind,
      saw: { status: record.status, steps, ...(cartItemId !== undefined ? { cartItemId } : {}) },
      did: { cartItem, budgetReleased: true, status },
    },
  });
  return 'cleaned-up';
}

/** What RecordNotCompleted would have ended the purchase as, had its cleanup finished. */
async function statusAfterCleanup(deps: ReconcileDeps, purchaseId: string): Promise<PurchaseStatus> {
  const closing = (await deps.audit.list(purchaseId)).filter((e) => e.type === AUDIT.notCompleted).at(-1);
  const meant = closing?.detail?.statusAfterCleanup;
  return typeof meant === 'string' && ENDED_UNSPENT.has(meant as PurchaseStatus) ? (meant as PurchaseStatus) : 'FAILED';
}

/** Deletes a tagged item of a final or unknown purchase; the vendor refuses only a bought one. */
async function deleteOrphanItem(
  deps: ReconcileDeps,
  action: Extract<ReconcileAction, { kind: 'delete-orphan-item' }>,
  record: PurchaseRecord | undefined,
): Promise<string> {
  const { purchaseId, itemId, purchaseStatus } = action;
  const found = await deleteOrInspect(await deps.cocalc(), itemId);
  if (found.outcome === 'bought') return noteBoughtItem(deps, purchaseId, found.item, record);
  if (found.outcome === 'gone') return 'gone';
  const whose = purchaseStatus === 'MISSING' ? 'a purchase procure has no record of' : `its purchase is ${purchaseStatus}`;
  await deps.audit.append(purchaseId, {
    type: RECONCILED,
    status: record?.status ?? 'FAILED',
    actor: RECONCILER_ACTOR,
    message: `Deleted orphan CoCalc cart item ${itemId} (${action.checked ? 'checked' : 'unchecked'}): it is tagged for ${whose}, and the vendor's delete proved it was not bought`,
    detail: { action: action.kind, saw: { itemId, checked: action.checked, added: action.added, purchaseStatus }, did: { cartItem: 'deleted' } },
  });
  return 'deleted';
}

const ALREADY_NOTED = 'already-noted';

/** A tagged item the vendor shows bought, which no COMPLETED purchase accounts for: audited once. */
async function noteBoughtItem(deps: ReconcileDeps, purchaseId: string, item: BoughtItem, record: PurchaseRecord | undefined): Promise<string> {
  if (!boughtItemNeedsNote(item, record)) return 'bought-by-its-purchase';
  const noted = (await deps.audit.list(purchaseId)).some(
    (e: AuditEntry) =>
      e.type === RECONCILED &&
      // This note, or the finding of a cleanup of the purchase's own item (finish-cleanup) that found it bought.
      ((e.detail?.action === 'note-bought-item' && (e.detail.saw as { itemId?: unknown } | undefined)?.itemId === item.id) ||
        (record?.cartItemId === item.id && (e.detail?.did as { cartItem?: unknown } | undefined)?.cartItem === 'found-bought')),
  );
  if (noted) return ALREADY_NOTED;
  const status = record?.status ?? 'MISSING';
  await deps.audit.append(purchaseId, {
    type: RECONCILED,
    status: record?.status ?? 'FAILED',
    actor: RECONCILER_ACTOR,
    message:
      `ATTENTION: CoCalc cart item ${item.id}, tagged for this purchase, was BOUGHT${item.licenseId ? ` (license ${item.licenseId})` : ''}, ` +
      `but the purchase is ${status === 'MISSING' ? 'unknown to procure' : status}${record?.licenseId ? ` with license ${record.licenseId}` : ''}. Left as it is; check the account.`,
    detail: {
      action: 'note-bought-item',
      saw: { itemId: item.id, ...item, purchaseStatus: status, ...(record?.licenseId ? { purchaseLicenseId: record.licenseId } : {}) },
      did: { cartItem: 'left' },
    },
  });
  return 'noted';
}

async function releaseReservation(deps: ReconcileDeps, action: Extract<ReconcileAction, { kind: 'release-reservation' }>): Promise<string> {
  const { purchaseId, purchaseStatus, reservation } = action;
  await deps.spendGuard.release(purchaseId);
  await deps.audit.append(purchaseId, {
    type: RECONCILED,
    status: purchaseStatus === 'MISSING' ? 'FAILED' : purchaseStatus,
    actor: RECONCILER_ACTOR,
    message: `Released a budget reservation still counted (${reservation.vendor} ${reservation.month}, ${reservation.status}) for ${purchaseStatus === 'MISSING' ? 'a purchase procure has no record of' : `a ${purchaseStatus} purchase`}`,
    detail: {
      action: action.kind,
      saw: { purchaseStatus, reservation: { vendor: reservation.vendor, month: reservation.month, status: reservation.status } },
      did: { budgetReleased: true },
    },
  });
  return 'released';
}

// ---- helpers -------------------------------------------------------------------------------

type CartItemFate = { outcome: 'deleted' | 'gone' } | { outcome: 'bought'; item: BoughtItem };

/**
 * Delete first, look only when nothing was deleted (as RecordNotCompleted does): the vendor
 * deletes only unbought items, so a delete that answers 1 proves the item was not bought and can
 * no longer be.
 */
async function deleteOrInspect(gateway: CocalcGateway, itemId: number): Promise<CartItemFate> {
  if (await gateway.deleteFromCart(itemId)) return { outcome: 'deleted' };
  let item: CocalcCartItem;
  try {
    item = await gateway.getCartItem(itemId);
  } catch (err) {
    if (err instanceof VendorRejectedError && /no item with id/i.test(err.message)) return { outcome: 'gone' };
    throw err;
  }
  if (item.purchased) {
    return {
      outcome: 'bought',
      item: {
        id: itemId,
        ...(item.purchased.licenseId ? { licenseId: item.purchased.licenseId } : {}),
        ...(item.purchased.time ? { time: item.purchased.time } : {}),
      },
    };
  }
  throw new Error(`CoCalc cart item ${itemId} is neither deleted nor bought`);
}

/** The request as REQUEST_RECEIVED recorded it (RecordNotCompleted's event names the requester). */
function requestOf(trail: AuditEntry[], record: PurchaseRecord): PurchaseRequest {
  const d = trail.find((e) => e.type === AUDIT.requestReceived)?.detail ?? {};
  return {
    requestId: typeof d.requestId === 'string' ? d.requestId : record.requestId,
    vendor: record.vendor,
    requester: (d.requester as PurchaseRequest['requester'] | undefined) ?? { name: 'unknown', email: 'unknown' },
    reason: typeof d.reason === 'string' ? d.reason : '',
    item: d.item,
    ...(typeof d.maxCost === 'number' ? { maxCost: d.maxCost } : {}),
  } as PurchaseRequest;
}

function sourceOf(trail: AuditEntry[]): WorkflowState['source'] {
  return trail.find((e) => e.type === AUDIT.requestReceived)?.detail?.source === 'event' ? 'event' : 'api';
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}
