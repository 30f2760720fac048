import { MaxCostExceededError } from './errors';
import { formatUsd, toCents } from './money';

/** Throws MaxCostExceededError when the quote is above the requester's own limit (to the cent). */
export function assertWithinMaxCost(amountUsd: number, maxCost: number | undefined): void {
  if (maxCost !== undefined && toCents(amountUsd) > toCents(maxCost)) {
    throw new MaxCostExceededError(`the quote of ${formatUsd(amountUsd)} is above the requested maxCost of ${formatUsd(maxCost)}`);
  }
}
