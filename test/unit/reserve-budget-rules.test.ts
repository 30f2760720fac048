import { describe, expect, it } from 'vitest';
import { BudgetExceededError, DailyLimitExceededError, VendorTransientError } from '../../lambdas/core/errors';
import { isBudgetRefusal, monthStart } from '../../lambdas/core/reserve-budget';

/** ReserveBudget's rules: which errors are refusals to audit, and which month a reservation counts against. */
describe('ReserveBudget rules', () => {
  it.each([
    { err: new BudgetExceededError('over the cap'), expected: true },
    { err: new DailyLimitExceededError('too many today'), expected: true },
    { err: new VendorTransientError('throttled'), expected: false },
    { err: new Error('a bug'), expected: false },
  ])('$err.name is a budget refusal: $expected', ({ err, expected }) => {
    expect(isBudgetRefusal(err)).toBe(expected);
  });

  it.each([
    ['2026-01', '2026-01-01T00:00:00.000Z'],
    ['2025-12', '2025-12-01T00:00:00.000Z'],
  ])('a reservation of %s counts from %s (UTC)', (month, expected) => {
    expect(monthStart(month).toISOString()).toBe(expected);
  });
});
