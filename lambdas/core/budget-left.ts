import type { BudgetView } from './approval-page';
import type { SpendGuard } from './ports';
import type { Vendor } from './purchase-request';

/** Where {@link budgetLeft} reports a failed read. Structurally the shared logger (lambdas/shared/logger.ts). */
export interface BudgetLeftLogger {
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/**
 * The budget line shown to approvers (mail and confirm page): what is left of the vendor's cap
 * this month. Display only, so a failed read is logged and gives undefined: an approver can still
 * decide without it.
 */
export async function budgetLeft(spendGuard: Pick<SpendGuard, 'remaining'>, vendor: Vendor, now: Date, log: BudgetLeftLogger): Promise<BudgetView | undefined> {
  try {
    const r = await spendGuard.remaining(vendor, now);
    return { remainingUsd: r.remainingUsd, capUsd: r.capUsd };
  } catch (err) {
    log.warn('could not read the remaining budget', { error: err as Error });
    return undefined;
  }
}
