import { BudgetExceededError, DailyLimitExceededError } from './errors';
import { formatUsd } from './money';
import type { NewReservation, SpendGuard } from './ports';
import { recordStep, type PurchaseJournal } from './purchase-journal';
import type { Reservation, WorkflowState } from './workflow';

/** A refusal of the budget or the daily limit: audited (BUDGET_REFUSED) and rethrown for the machine's Catch. Anything else is rethrown as it is. */
export function isBudgetRefusal(err: unknown): err is BudgetExceededError | DailyLimitExceededError {
  return err instanceof BudgetExceededError || err instanceof DailyLimitExceededError;
}

/** The first instant (UTC) of a reservation's month (YYYY-MM). */
export function monthStart(month: string): Date {
  return new Date(`${month}-01T00:00:00Z`);
}

/** What ReserveBudget needs. */
export interface ReserveBudgetDeps extends PurchaseJournal {
  spendGuard: SpendGuard;
  clock?: () => Date;
}

/**
 * ReserveBudget: holds the quoted amount against the vendor's monthly cap and takes one of the
 * day's purchase slots, before anything is put in a cart or bought. On a re-quote (the state
 * already has a reservation) the existing reservation is adjusted instead. Refusals
 * (BudgetExceededError, DailyLimitExceededError) are audited and rethrown for the machine's Catch.
 */
export async function reserveBudget(deps: ReserveBudgetDeps, state: WorkflowState): Promise<Reservation> {
  const clock = deps.clock ?? (() => new Date());
  const quote = state.quote;
  if (!quote) throw new Error('ReserveBudget needs $.quote');
  const { purchaseId } = state;

  let reserved: NewReservation;
  try {
    reserved = state.reservation
      ? await deps.spendGuard.adjust(purchaseId, quote.amountUsd)
      : await deps.spendGuard.reserve({ purchaseId, vendor: quote.vendor, amountUsd: quote.amountUsd, at: clock() });
  } catch (err) {
    if (isBudgetRefusal(err)) {
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

  // What goes on in the state is the reservation alone. The budget left: as the reserve saw it
  // right after claiming, else read for the reservation's own month (an adjusted reservation may
  // belong to an earlier one).
  const { budgetAfter, ...reservation } = reserved;
  const budget = budgetAfter ?? (await deps.spendGuard.remaining(reservation.vendor, monthStart(reservation.month)));
  await recordStep(deps, purchaseId, {
    type: 'BUDGET_RESERVED',
    status: 'RESERVED',
    message:
      `${formatUsd(reservation.amountUsd)} reserved against the ${reservation.vendor} budget for ${reservation.month}` +
      `${state.reservation ? ' (adjusted to the new quote)' : ''}; ${formatUsd(budget.remainingUsd)} of ${formatUsd(budget.capUsd)} left`,
    detail: { ...reservation, capUsd: budget.capUsd, remainingUsd: budget.remainingUsd, adjusted: Boolean(state.reservation) },
  });
  return reservation;
}
