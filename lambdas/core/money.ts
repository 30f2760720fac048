/**
 * Money in integer cents. Budgets, quotes and vendor totals are compared and summed in cents so
 * float drift (0.1 + 0.2) can never let a purchase slip over a cap or fail a to-the-cent check.
 */

/** USD -> integer cents, rounding to the nearest cent. Throws on NaN/Infinity. */
export function toCents(usd: number): number {
  if (!Number.isFinite(usd)) throw new RangeError(`not a finite amount: ${usd}`);
  return Math.round(usd * 100);
}

/** Integer cents -> USD. */
export function fromCents(cents: number): number {
  return cents / 100;
}

/** True when two USD amounts are equal to the cent. */
export function sameCents(a: number, b: number): boolean {
  return toCents(a) === toCents(b);
}

/** "$12.34", for messages humans read. */
export function formatUsd(usd: number): string {
  return `$${fromCents(toCents(usd)).toFixed(2)}`;
}
