import { reserveBudget, type ReserveBudgetDeps } from '../core/reserve-budget';
import type { Reservation, WorkflowState } from '../core/workflow';
import { purchaseJournal, spendGuard } from '../composition/stores';
import { lazyHandler } from '../shared/lazy-handler';

/** ReserveBudget: the state is the input, the reservation the output (lambdas/core/reserve-budget.ts). */
export function makeHandler(deps: ReserveBudgetDeps): (state: WorkflowState) => Promise<Reservation> {
  return (state) => reserveBudget(deps, state);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): ReserveBudgetDeps {
  return { ...purchaseJournal(), spendGuard: spendGuard() };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
