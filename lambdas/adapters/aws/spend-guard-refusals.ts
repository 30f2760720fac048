import { BudgetExceededError, DailyLimitExceededError } from '../../core/errors';
import { formatUsd, fromCents } from '../../core/money';
import type { Vendor } from '../../core/purchase-request';
import type { Counter } from './spend-guard-items';

// What the spend guard (dynamo-spend-guard.ts) says of a budget: what is left, and its refusals.

/** A budget counter's cap, what it holds, and what is left (never below zero), in USD. */
export function budgetLeft(counter: Counter, totalCents: number): { capUsd: number; reservedUsd: number; remainingUsd: number } {
  return { capUsd: fromCents(counter.limit), reservedUsd: fromCents(totalCents), remainingUsd: fromCents(Math.max(0, counter.limit - totalCents)) };
}

/** The refusal of an amount the vendor's budget for the month has no room for, saying what is left. */
export function budgetRefusal(counter: Counter, r: { vendor: Vendor; month: string; amountCents: number }, totalCents: number): BudgetExceededError {
  const left = budgetLeft(counter, totalCents);
  return new BudgetExceededError(
    `${r.vendor} monthly budget for ${r.month} would be exceeded: ${formatUsd(fromCents(r.amountCents))} requested, ` +
      `${formatUsd(left.remainingUsd)} of ${formatUsd(left.capUsd)} left`,
  );
}

/** The refusal of a purchase past the day's count. */
export function dailyRefusal(counter: Counter, day: string): DailyLimitExceededError {
  return new DailyLimitExceededError(`daily purchase limit of ${counter.limit} reached for ${day} (UTC)`);
}
