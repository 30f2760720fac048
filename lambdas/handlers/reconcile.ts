import type { Context } from 'aws-lambda';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { DynamoReservationLedger } from '../adapters/aws/dynamo-reservation-ledger';
import { DynamoSpendGuard } from '../adapters/aws/dynamo-spend-guard';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher';
import { SfnExecutionReader } from '../adapters/aws/sfn-execution-reader';
import { reconcile, type ReconcileDeps, type ReconcileReport } from '../core/reconcile-runner';
import { documentClient } from '../shared/aws-clients/dynamodb';
import { eventBridgeClient } from '../shared/aws-clients/eventbridge';
import { sfnClient } from '../shared/aws-clients/sfn';
import { budgetConfig, eventsConfig, tablesConfig, workflowConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { cocalcGateway } from '../composition/cocalc';
import { defaultDeps as recordOutcomeDeps, makeHandler as makeRecordOutcome } from './record-outcome';

/**
 * Reconcile: the reconciler (lambdas/core/reconcile.ts), run by an EventBridge Scheduler schedule
 * on AWS and by the local runtime's timer (lib/local/schedules.ts). The event carries nothing it
 * needs; the invocation's remaining time bounds the run.
 */
export function makeHandler(deps: Omit<ReconcileDeps, 'remainingMs'>): (event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<ReconcileReport> {
  return async (_event, context) => {
    const report = await reconcile({ ...deps, ...(context?.getRemainingTimeInMillis ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}) });
    if (report.errors.length) logger.warn('reconciler run left work for the next run', { report });
    else logger.info('reconciler run', { report });
    return report;
  };
}

/** Production wiring, once per cold start. */
export function defaultDeps(): Omit<ReconcileDeps, 'remainingMs'> {
  const tables = tablesConfig();
  const events = eventsConfig();
  const doc = documentClient();
  // Stale purchases are closed by RecordNotCompleted's own code, wired as in its own function.
  const recordNotCompleted = makeRecordOutcome(recordOutcomeDeps());
  return {
    audit: new DynamoAuditLog(doc, tables.auditTable),
    purchases: new DynamoPurchaseStore(doc, tables.stateTable),
    spendGuard: new DynamoSpendGuard(doc, tables.stateTable, budgetConfig()),
    reservations: new DynamoReservationLedger(doc, tables.stateTable),
    executions: new SfnExecutionReader(sfnClient(), workflowConfig().stateMachineArn),
    cocalc: () => cocalcGateway(),
    events: new EventBridgePublisher(eventBridgeClient(), events.busName, events.source),
    closePurchase: (state) => recordNotCompleted({ outcome: 'NOT_COMPLETED', state }),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
