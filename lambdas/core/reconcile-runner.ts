import type { ReconcileDeps } from './reconcile-deps';
import { decideReconcile, RECONCILE_LIMITS, type ReconcileAction } from './reconcile';
import { ALREADY_NOTED, applyReconcileAction } from './reconcile-actions';
import { readSnapshot } from './reconcile-snapshot';

/**
 * One reconciler run (decision 7): read a snapshot through the ports (reconcile-snapshot.ts),
 * decide (reconcile.ts), apply the actions (reconcile-actions.ts), and write each one to the audit
 * trail of the purchase concerned (actor `reconciler`, with what it saw and what it did). Bounded:
 * at most RECONCILE_LIMITS.maxActions actions, and none started once the invocation is close to its
 * deadline; what is left waits for the next run. A failed action changes nothing the next run
 * cannot redo; it is reported, not thrown, so one stuck purchase does not stop the others.
 */

/** What one run saw and did (the handler's result and log line). */
export interface ReconcileReport {
  startedAt: string;
  saw: {
    openPurchases: number;
    attentionPurchases: number;
    /** procure's items found at the vendors (core/vendor-leftovers.ts); null when a vendor's could not be read. */
    vendorItems: number | null;
    countedReservations: number;
  };
  actions: Array<{ kind: ReconcileAction['kind']; purchaseId: string; outcome: string }>;
  /** Actions decided but left for the next run (limits, deadline). */
  deferred: number;
  /** What could not be read or done this run. */
  errors: string[];
}

/** No action starts with less time than this left: closing one purchase may call the vendor. */
const DEADLINE_MARGIN_MS = 20_000;

/** One bounded reconciler run: snapshot, decide, apply; see the comment at the top of this file. */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const now = (deps.clock ?? (() => new Date()))();
  const errors: string[] = [];
  const { snapshot, allItemsRead } = await readSnapshot(deps, now, errors);
  const decided = decideReconcile(snapshot);
  const report: ReconcileReport = {
    startedAt: now.toISOString(),
    saw: {
      openPurchases: snapshot.openPurchaseIds.length,
      attentionPurchases: snapshot.attentionPurchaseIds.length,
      vendorItems: allItemsRead ? snapshot.items.length : null,
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
      const outcome = await applyReconcileAction(deps, action, snapshot.purchases.get(action.purchaseId) ?? {});
      // A finding already in the audit trail changed nothing: the report lists what was done.
      if (outcome !== ALREADY_NOTED) report.actions.push({ kind: action.kind, purchaseId: action.purchaseId, outcome });
    } catch (err) {
      report.actions.push({ kind: action.kind, purchaseId: action.purchaseId, outcome: 'failed' });
      errors.push(`${action.kind} ${action.purchaseId}: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  return report;
}
