import type { HeldItemId } from './held-item';
import { AUDIT } from './audit-kinds';
import { CLEANUP_STEPS } from './cleanup-steps';
import type { AuditEntry, PurchaseRecord } from './ports';
import type { PurchaseRequest } from './purchase-request';
import { boughtItemNeedsNote, ENDED_UNSPENT, RECONCILED, RECONCILER_ACTOR, type PurchaseView, type ReconcileAction } from './reconcile';
import type { ReconcileDeps } from './reconcile-deps';
import { type BoughtItem, type ItemFate, leftoverName, leftoverNoun, leftoversOf } from './vendor-leftovers';
import { type Vendor, vendorLabel } from './vendor-names';
import { EVENTS, type PurchaseStatus, type WorkflowState } from './workflow';

// The reconciler's actions (reconcile-runner.ts applies them, reconcile.ts decides them): each one
// acts through the ports and writes what it saw and did to the purchase's audit trail, as actor
// `reconciler`. Each returns its outcome for the run's report.

/** Applies one decided action to the purchase it concerns; returns the outcome the report lists. */
export async function applyReconcileAction(deps: ReconcileDeps, action: ReconcileAction, view: PurchaseView): Promise<string> {
  switch (action.kind) {
    case 'close-purchase':
      return closeStalePurchase(deps, action, view.record!);
    case 'finish-cleanup':
      return finishCleanup(deps, action, view.record!);
    case 'delete-orphan-item':
      return deleteOrphanItem(deps, action, view.record);
    case 'note-bought-item':
      return noteBoughtItem(deps, action.purchaseId, action.item, view.record, action.vendor);
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
 * Retries the compensation RecordNotCompleted could not finish. The vendor item first: once the
 * vendor takes it back (it takes back only unbought items) nothing can have been bought, so the budget
 * is released and the purchase ends as RecordNotCompleted meant it to (`statusAfterCleanup` on
 * its closing entry; FAILED when that is not known). Found bought, it stays NEEDS_ATTENTION with
 * the budget kept, and the finding is audited.
 */
async function finishCleanup(deps: ReconcileDeps, action: Extract<ReconcileAction, { kind: 'finish-cleanup' }>, record: PurchaseRecord): Promise<string> {
  const { purchaseId, vendor, steps, cartItemId } = action;
  const noun = leftoverNoun(deps.leftovers, vendor);
  const what = leftoverName(deps.leftovers, vendor);
  let cartItem = 'none';
  if (steps.includes(CLEANUP_STEPS.deleteCartItem) && cartItemId !== undefined) {
    const found = await takeBack(deps, vendor, cartItemId);
    if (found.outcome === 'bought') {
      const reason = `${record.reason ?? 'cleanup pending'}; the reconciler found ${what} ${cartItemId} BOUGHT${found.item.licenseId ? ` (license ${found.item.licenseId})` : ''}`;
      await deps.purchases.update(purchaseId, { cleanupPending: [], reason }, { ifStatusIn: ['NEEDS_ATTENTION'] });
      await deps.audit.append(purchaseId, {
        type: RECONCILED,
        status: 'NEEDS_ATTENTION',
        actor: RECONCILER_ACTOR,
        message: `ATTENTION: the ${noun} this purchase was to delete (${cartItemId}) was BOUGHT at ${vendorLabel(vendor)}; the budget reservation is KEPT. Check the account and settle the purchase by hand.`,
        detail: { action: action.kind, saw: { steps, cartItemId, item: found.item }, did: { cartItem: 'found-bought', budgetReleased: false } },
      });
      return 'found-bought';
    }
    cartItem = found.outcome;
  }
  await deps.spendGuard.release(purchaseId);
  const status = await statusAfterCleanup(deps, purchaseId);
  const reason = `${record.reason ?? 'the purchase did not complete'}; cleanup finished by the reconciler (${noun} ${cartItem === 'none' ? 'none' : `${cartItemId} ${cartItem}`}, budget released)`;
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
    message: `Cleanup finished: ${cartItem === 'none' ? `no ${noun} to delete` : `${what} ${cartItemId} ${cartItem} (not bought)`}; budget reservation released; the purchase is ${status}`,
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
  const { purchaseId, vendor, itemId, purchaseStatus } = action;
  const found = await takeBack(deps, vendor, itemId);
  if (found.outcome === 'bought') return noteBoughtItem(deps, purchaseId, found.item, record, vendor);
  if (found.outcome === 'gone') return 'gone';
  const whose = purchaseStatus === 'MISSING' ? 'a purchase procure has no record of' : `its purchase is ${purchaseStatus}`;
  await deps.audit.append(purchaseId, {
    type: RECONCILED,
    status: record?.status ?? 'FAILED',
    actor: RECONCILER_ACTOR,
    message: `Deleted orphan ${leftoverName(deps.leftovers, vendor)} ${itemId} (${action.checked ? 'checked' : 'unchecked'}): it is tagged for ${whose}, and the vendor's delete proved it was not bought`,
    detail: { action: action.kind, saw: { itemId, checked: action.checked, added: action.added, purchaseStatus }, did: { cartItem: 'deleted' } },
  });
  return 'deleted';
}

/** The outcome of a bought item whose finding is already in the audit trail (the report leaves it out). */
export const ALREADY_NOTED = 'already-noted';

/** A tagged item the vendor shows bought, which no COMPLETED purchase accounts for: audited once. */
async function noteBoughtItem(deps: ReconcileDeps, purchaseId: string, item: BoughtItem, record: PurchaseRecord | undefined, vendor: Vendor): Promise<string> {
  if (!boughtItemNeedsNote(item, record)) return 'bought-by-its-purchase';
  const noted = (await deps.audit.list(purchaseId)).some(
    (e: AuditEntry) =>
      e.type === RECONCILED &&
      // This note, or the finding of a cleanup of the purchase's own item (finish-cleanup) that found it bought.
      ((e.detail?.action === 'note-bought-item' && sameItem(e.detail.saw as { itemId?: unknown; vendor?: unknown } | undefined, vendor, item.id)) ||
        (record?.vendor === vendor && record.cartItemId === item.id && (e.detail?.did as { cartItem?: unknown } | undefined)?.cartItem === 'found-bought')),
  );
  if (noted) return ALREADY_NOTED;
  const status = record?.status ?? 'MISSING';
  await deps.audit.append(purchaseId, {
    type: RECONCILED,
    status: record?.status ?? 'FAILED',
    actor: RECONCILER_ACTOR,
    message:
      `ATTENTION: ${leftoverName(deps.leftovers, vendor)} ${item.id}, tagged for this purchase, was BOUGHT${item.licenseId ? ` (license ${item.licenseId})` : ''}, ` +
      `but the purchase is ${status === 'MISSING' ? 'unknown to procure' : status}${record?.licenseId ? ` with license ${record.licenseId}` : ''}. Left as it is; check the account.`,
    detail: {
      action: 'note-bought-item',
      saw: { vendor, itemId: item.id, ...item, purchaseStatus: status, ...(record?.licenseId ? { purchaseLicenseId: record.licenseId } : {}) },
      did: { cartItem: 'left' },
    },
  });
  return 'noted';
}

/** Whether a note saw this vendor's item (a note without a vendor predates a second vendor with items, and matches as before). */
function sameItem(saw: { itemId?: unknown; vendor?: unknown } | undefined, vendor: Vendor, itemId: HeldItemId): boolean {
  return saw?.itemId === itemId && (saw.vendor === undefined || saw.vendor === vendor);
}

/** Gives back a reservation the budget counter still counts for a purchase that will not spend it. */
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

/** The item taken back, gone, or bought, by its vendor's leftovers (core/vendor-leftovers.ts). */
async function takeBack(deps: ReconcileDeps, vendor: Vendor, itemId: HeldItemId): Promise<ItemFate> {
  const leftovers = leftoversOf(deps.leftovers, vendor);
  if (!leftovers) throw new Error(`${vendorLabel(vendor)} leaves no items to take back (item ${itemId})`);
  return leftovers.takeBack(itemId);
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

/** Where the request came from, as REQUEST_RECEIVED recorded it (API unless an event). */
function sourceOf(trail: AuditEntry[]): WorkflowState['source'] {
  return trail.find((e) => e.type === AUDIT.requestReceived)?.detail?.source === 'event' ? 'event' : 'api';
}
