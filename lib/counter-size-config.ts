import type { ProcureConfig } from './config';
import { executionTimeoutSeconds } from './execution-timeout';

/** Bytes a purchase in flight takes in a budget or daily counter item (`p_<purchaseId>`: a number), rounded up. */
const COUNTER_BYTES_PER_PURCHASE = 64;
/** Of DynamoDB's 400 KB item limit, what purchases in flight may fill; the rest is headroom for NEEDS_ATTENTION ones. */
const COUNTER_BUDGET_BYTES = 300_000;

/**
 * A budget counter names the purchases whose money may still move (lambdas/adapters/aws/
 * dynamo-spend-guard.ts): at most the daily limit for every day an execution can last, plus one.
 * Keeping that under DynamoDB's item limit makes the limit unreachable whatever the caps.
 */
export function counterSizeIssues(config: Pick<ProcureConfig, 'dailyPurchaseLimit' | 'approvalTimeoutSeconds'>): string[] {
  const days = Math.ceil(executionTimeoutSeconds(config.approvalTimeoutSeconds) / 86_400) + 1;
  const inFlight = config.dailyPurchaseLimit * days;
  const most = Math.floor(COUNTER_BUDGET_BYTES / COUNTER_BYTES_PER_PURCHASE / days);
  return inFlight * COUNTER_BYTES_PER_PURCHASE > COUNTER_BUDGET_BYTES
    ? [
        `dailyPurchaseLimit: ${config.dailyPurchaseLimit} a day could keep ${inFlight} purchases in flight over the ${days} days an execution can last, more than a budget counter item holds; at most ${most} with this approvalTimeoutSeconds`,
      ]
    : [];
}
