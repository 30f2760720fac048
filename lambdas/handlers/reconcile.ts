import type { Context } from 'aws-lambda';
import type { ReconcileDeps } from '../core/reconcile-deps';
import { reconcile, type ReconcileReport } from '../core/reconcile-runner';
import { eventPublisher } from '../composition/events';
import { executionReader } from '../composition/executions';
import { closePurchase } from '../composition/record-outcome';
import { purchaseJournal, reservationLedger, spendGuard } from '../composition/stores';
import { lazyHandler } from '../shared/lazy-handler';
import { vendorLeftovers } from '#vendors/leftovers';
import { logger } from '../shared/logger';

/**
 * Reconcile: the reconciler (lambdas/core/reconcile.ts), run by an EventBridge Scheduler schedule
 * on AWS and by the local runtime's timer (lib/local/schedules.ts). The event carries nothing it
 * needs; the invocation's remaining time bounds the run.
 */
export function makeHandler(
  deps: Omit<ReconcileDeps, 'remainingMs'>,
): (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<ReconcileReport> {
  return async (_event, context) => {
    const report = await reconcile({ ...deps, ...(context?.getRemainingTimeInMillis ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}) });
    if (report.errors.length) logger.warn('reconciler run left work for the next run', { report });
    else logger.info('reconciler run', { report });
    return report;
  };
}

/** Production wiring, once per cold start. Stale purchases are closed by RecordNotCompleted's own code, wired as in its own function. */
export function defaultDeps(): Omit<ReconcileDeps, 'remainingMs'> {
  return {
    ...purchaseJournal(),
    spendGuard: spendGuard(),
    reservations: reservationLedger(),
    executions: executionReader(),
    leftovers: vendorLeftovers(),
    events: eventPublisher(),
    closePurchase: closePurchase(),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
