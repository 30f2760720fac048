import { BudgetExceededError, DailyLimitExceededError } from '../core/errors';
import { formatUsd } from '../core/money';
import type { AuditLog, PurchaseStore, SpendGuard } from '../core/ports';
import { recordStep } from '../core/purchase-journal';
import type { Reservation, WorkflowState } from '../core/workflow';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { DynamoSpendGuard } from '../adapters/aws/dynamo-spend-guard';
import { documentClient } from '../shared/aws-clients/dynamodb';
import { budgetConfig, tablesConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';

/** What ReserveBudget needs. */
export interface ReserveBudgetDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  spendGuard: SpendGuard;
  clock?: () => Date;
}

/**
 * ReserveBudget: holds the quoted amount against the vendor's monthly cap and takes one of the
 * day's purchase slots, before anything is put in a cart or bought. On a re-quote (the state
 * already has a reservation) the existing reservation is adjusted instead. Refusals
 * (BudgetExceededError, DailyLimitExceededError) are audited and rethrown for the machine's Catch.
 */
export function makeHandler(deps: ReserveBudgetDeps): (state: WorkflowState) => Promise<Reservation> {
  const clock = deps.clock ?? (() => new Date());
  return async (state) => {
    const quote = state.quote;
    if (!quote) throw new Error('ReserveBudget needs $.quote');
    const { purchaseId } = state;

    let reservation: Reservation;
    try {
      reservation = state.reservation
        ? await deps.spendGuard.adjust(purchaseId, quote.amountUsd)
        : await deps.spendGuard.reserve({ purchaseId, vendor: quote.vendor, amountUsd: quote.amountUsd, at: clock() });
    } catch (err) {
      if (err instanceof BudgetExceededError || err instanceof DailyLimitExceededError) {
        await deps.audit.append(purchaseId, {
          type: 'BUDGET_REFUSED',
          status: 'QUOTED',
          actor: 'system',
          message: err.message,
          detail: { reason: err.name, amountUsd: quote.amountUsd, vendor: quote.vendor },
        });
      }
      throw err;
    }

    // The reservation's own month: an adjusted reservation may belong to an earlier one.
    const budget = await deps.spendGuard.remaining(reservation.vendor, new Date(`${reservation.month}-01T00:00:00Z`));
    await recordStep(deps, purchaseId, {
      type: 'BUDGET_RESERVED',
      status: 'RESERVED',
      message:
        `${formatUsd(reservation.amountUsd)} reserved against the ${reservation.vendor} budget for ${reservation.month}` +
        `${state.reservation ? ' (adjusted after a re-quote)' : ''}; ${formatUsd(budget.remainingUsd)} of ${formatUsd(budget.capUsd)} left`,
      detail: { ...reservation, capUsd: budget.capUsd, remainingUsd: budget.remainingUsd, adjusted: Boolean(state.reservation) },
    });
    return reservation;
  };
}

/** Production wiring, once per cold start. */
export function defaultDeps(): ReserveBudgetDeps {
  const tables = tablesConfig();
  const doc = documentClient();
  return {
    audit: new DynamoAuditLog(doc, tables.auditTable),
    purchases: new DynamoPurchaseStore(doc, tables.stateTable),
    spendGuard: new DynamoSpendGuard(doc, tables.stateTable, budgetConfig()),
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
