import type { HeldItemId } from './held-item';
import { AUDIT } from './audit-kinds';
import { CLEANUP_STEPS, type CleanupStep } from './cleanup-steps';
import type { PurchaseRecord } from './ports';
import type { Vendor } from './purchase-request';
import type { BoughtItem, VendorItem } from './vendor-leftovers';
import { FINAL_STATUSES, type PurchaseStatus } from './workflow';

/**
 * The reconciler's decisions (issue 8, decision 7): from one snapshot of procure's records and the
 * items procure left at the vendors to the actions that bring them back in line. Pure: the runner
 * (reconcile-runner.ts) gathers the snapshot, applies the actions through the ports and audits
 * each one. Everything here is safe to decide again on the next run: an action whose effect
 * already happened finds nothing left to do.
 *
 * 1. Orphan vendor items: an item a vendor's preparation left for a purchase (core/vendor-leftovers.ts;
 *    CoCalc: a cart item tagged `procure purchase <id>`) whose purchase is final or unknown, and that
 *    is not bought, is taken back. The account owner's items are never listed, so never touched; an
 *    item of a purchase still running is left.
 * 2. Non-final purchases without a live execution are closed through RecordNotCompleted's own code.
 * 3. NEEDS_ATTENTION purchases with `cleanupPending` get their cleanup retried.
 * 4. Reservations still counted for a purchase that is gone or ended without spending are released.
 */

/** Who the reconciler's audit entries name. */
export const RECONCILER_ACTOR = 'reconciler';

/** The reconciler's audit entry type (what it did is in `detail.action`). */
export const RECONCILED = AUDIT.reconciled;

/** Bounds of one run. */
export const RECONCILE_LIMITS = {
  /**
   * A purchase whose record changed less than this long ago is not judged by its execution: it
   * may be between the intake's record write and StartExecution, or its execution just ended and
   * RecordOutcome is still writing.
   */
  graceMs: 5 * 60_000,
  /**
   * A purchase without an execution ARN is one whose intake never started the execution. The
   * EventBridge trigger retries Intake for up to 2 hours (purchase-trigger.ts `maxEventAge`), and a
   * retry would start it: closing it earlier would let that late execution run on a closed purchase.
   */
  notStartedGraceMs: 3 * 3_600_000,
  /**
   * How far back the audit trail's byStatus index is read for open and NEEDS_ATTENTION purchases:
   * well past the longest an execution can live with the default approval timeout (2 x 72 h + 1 h,
   * lib/execution-timeout.ts executionTimeoutSeconds). A purchase left open longer than this while the
   * reconciler never ran is outside its reach (settle it by hand).
   */
  lookbackMs: 35 * 24 * 3_600_000,
  /** Actions applied per run; the rest waits for the next run (the runner also stops near its deadline). */
  maxActions: 25,
} as const;

/** Reservation states as the spend guard stores them (dynamo-spend-guard.ts). */
export type ReservationState = 'RESERVING' | 'RESERVED' | 'COMMITTED' | 'RELEASING' | 'RELEASED';

/** A reservation the monthly budget counter still counts. */
export interface CountedReservation {
  purchaseId: string;
  vendor: Vendor;
  month: string;
  /** The RESERVATION record's status; undefined when there is none. */
  status?: ReservationState;
  /** When the reservation record last changed (ISO). */
  updatedAt?: string;
}

/** What the reconciler knows of one purchase. */
export interface PurchaseView {
  /** Undefined: procure has no record of it. */
  record?: PurchaseRecord;
  /**
   * Its Step Functions execution's status (`RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`,
   * `ABORTED`, ...), `MISSING` when Step Functions does not know it, undefined when not looked up.
   */
  execution?: string;
}

/** One run's view of the world. */
export interface ReconcileSnapshot {
  now: Date;
  /** procure's items at the vendors whose items could be read (nothing is decided on a vendor's items it could not read). */
  items: VendorItem[];
  /** Purchases the audit trail shows received and not yet closed (no COMPLETED / NOT_COMPLETED entry). */
  openPurchaseIds: string[];
  /** Purchases the audit trail shows closed as NEEDS_ATTENTION. */
  attentionPurchaseIds: string[];
  reservations: CountedReservation[];
  /** Every purchase named above or by a vendor item. */
  purchases: ReadonlyMap<string, PurchaseView>;
}

/** What the reconciler does. */
export type ReconcileAction =
  | {
      kind: 'close-purchase';
      purchaseId: string;
      /** The record's status when seen. */
      status: PurchaseStatus;
      execution: string;
      updatedAt: string;
    }
  | { kind: 'finish-cleanup'; purchaseId: string; vendor: Vendor; steps: CleanupStep[]; cartItemId?: HeldItemId }
  | {
      kind: 'delete-orphan-item';
      purchaseId: string;
      vendor: Vendor;
      itemId: HeldItemId;
      /** The purchase's status, or `MISSING` when procure has no record of it. */
      purchaseStatus: PurchaseStatus | 'MISSING';
      checked: boolean;
      added: string;
    }
  | { kind: 'note-bought-item'; purchaseId: string; vendor: Vendor; item: BoughtItem; purchaseStatus: PurchaseStatus | 'MISSING' }
  | {
      kind: 'release-reservation';
      purchaseId: string;
      purchaseStatus: PurchaseStatus | 'MISSING';
      reservation: CountedReservation;
    };

/**
 * Ended without spending: RecordNotCompleted releases the budget of these itself, so a reservation
 * still counted for one is a release that did not happen (or did not finish).
 */
export const ENDED_UNSPENT: ReadonlySet<PurchaseStatus> = new Set(['FAILED', 'REJECTED', 'EXPIRED', 'INVALID']);

const isFinal = (status: PurchaseStatus): boolean => FINAL_STATUSES.includes(status);
/**
 * Final and closed. INTERRUPTED is final but written only when the local runtime's close-out of a
 * cut-off execution failed: RecordNotCompleted never closed the purchase, so item 2 closes it first.
 */
const isSettled = (status: PurchaseStatus): boolean => isFinal(status) && status !== 'INTERRUPTED';

function ageMs(now: Date, iso: string | undefined): number {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isFinite(t) ? now.getTime() - t : Number.POSITIVE_INFINITY;
}

/** The cleanup steps a record still lists, known names only. */
export function pendingCleanup(record: PurchaseRecord | undefined): CleanupStep[] {
  const known = new Set<string>(Object.values(CLEANUP_STEPS));
  return (record?.cleanupPending ?? []).filter((s): s is CleanupStep => known.has(s));
}

/**
 * Whether a bought tagged item needs a person: unless it is the license its purchase COMPLETED
 * with, procure holds no approved purchase for what the vendor charged.
 */
export function boughtItemNeedsNote(item: BoughtItem, record: PurchaseRecord | undefined): boolean {
  return !(record?.status === 'COMPLETED' && item.licenseId !== undefined && record.licenseId === item.licenseId);
}

/** All actions for one snapshot, most urgent first: purchases, then cart, then budget. */
export function decideReconcile(s: ReconcileSnapshot): ReconcileAction[] {
  return [...stalePurchases(s), ...unfinishedCleanups(s), ...orphanItems(s), ...strayReservations(s)];
}

/** 2. Open purchases whose execution is not RUNNING (or never started), past the grace period. */
function stalePurchases(s: ReconcileSnapshot): ReconcileAction[] {
  const out: ReconcileAction[] = [];
  for (const purchaseId of new Set(s.openPurchaseIds)) {
    const { record, execution } = s.purchases.get(purchaseId) ?? {};
    if (!record || execution === undefined || execution === 'RUNNING') continue;
    if (isSettled(record.status)) continue;
    const grace = record.executionArn || execution !== 'MISSING' ? RECONCILE_LIMITS.graceMs : RECONCILE_LIMITS.notStartedGraceMs;
    if (ageMs(s.now, record.updatedAt) < grace) continue;
    out.push({ kind: 'close-purchase', purchaseId, status: record.status, execution, updatedAt: record.updatedAt });
  }
  return out;
}

/** 3. NEEDS_ATTENTION purchases whose compensation did not finish. */
function unfinishedCleanups(s: ReconcileSnapshot): ReconcileAction[] {
  const out: ReconcileAction[] = [];
  for (const purchaseId of new Set(s.attentionPurchaseIds)) {
    const record = s.purchases.get(purchaseId)?.record;
    const steps = pendingCleanup(record);
    // A person's finding (`procure resolve`) settles the purchase; the reconciler does not second-guess it.
    if (record?.status !== 'NEEDS_ATTENTION' || steps.length === 0 || record.resolution) continue;
    out.push({
      kind: 'finish-cleanup',
      purchaseId,
      vendor: record.vendor,
      steps,
      ...(record.cartItemId !== undefined ? { cartItemId: record.cartItemId } : {}),
    });
  }
  return out;
}

/** 1. Vendor items of final or unknown purchases. */
function orphanItems(s: ReconcileSnapshot): ReconcileAction[] {
  const out: ReconcileAction[] = [];
  for (const item of s.items) {
    const { purchaseId } = item;
    const { record, execution } = s.purchases.get(purchaseId) ?? {};
    const purchaseStatus = record?.status ?? 'MISSING';
    // An unfinished cleanup of this very item is settled (and audited) by finish-cleanup.
    const cleanupOwnsIt = record?.vendor === item.vendor && record.cartItemId === item.id && pendingCleanup(record).includes(CLEANUP_STEPS.deleteCartItem);
    if (item.bought) {
      if (!cleanupOwnsIt && boughtItemNeedsNote(item.bought, record))
        out.push({ kind: 'note-bought-item', purchaseId, vendor: item.vendor, item: item.bought, purchaseStatus });
      continue;
    }
    if (item.setAside) continue; // no checkout can buy it
    // Still running (or being closed this run, item 2): the workflow owns its item. A final record
    // with a RUNNING execution is RecordNotCompleted at work (the approvals API writes REJECTED
    // before the machine compensates); it takes the item back itself.
    if (record && (!isSettled(record.status) || execution === undefined || execution === 'RUNNING')) continue;
    // The unfinished cleanup of this very item is retried by finish-cleanup, which also releases the budget.
    if (record?.status === 'NEEDS_ATTENTION' && cleanupOwnsIt) continue;
    out.push({ kind: 'delete-orphan-item', purchaseId, vendor: item.vendor, itemId: item.id, purchaseStatus, checked: item.checked, added: item.added });
  }
  return out;
}

/** 4. Reservations still counted for purchases that are gone or ended without spending. */
function strayReservations(s: ReconcileSnapshot): ReconcileAction[] {
  const out: ReconcileAction[] = [];
  for (const reservation of s.reservations) {
    // COMMITTED is money spent; RELEASED has nothing left to give back.
    if (reservation.status === undefined || reservation.status === 'COMMITTED' || reservation.status === 'RELEASED') continue;
    const { record, execution } = s.purchases.get(reservation.purchaseId) ?? {};
    if (record) {
      // As for cart items: a RUNNING execution is still compensating and releases it itself.
      if (!ENDED_UNSPENT.has(record.status) || execution === undefined || execution === 'RUNNING') continue;
    } else if (ageMs(s.now, reservation.updatedAt) < RECONCILE_LIMITS.graceMs) {
      continue;
    }
    out.push({ kind: 'release-reservation', purchaseId: reservation.purchaseId, purchaseStatus: record?.status ?? 'MISSING', reservation });
  }
  return out;
}
