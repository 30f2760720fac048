import { ENV } from '../lambdas/shared/env-names';
import { approvalPolicyEnv } from '../lib/approval-policy-config';
import { resolveProcureConfig } from '../lib/resolve-config';

/**
 * The benches' runtime settings: they measure procure, not the budget. Caps and the daily limit
 * raised far past anything a run buys.
 */
export const UNCAPPED: Readonly<Record<string, string>> = {
  [ENV.MONTHLY_CAP_COCALC_USD]: '1000000',
  [ENV.MONTHLY_CAP_INTERSERVER_USD]: '1000000',
  [ENV.DAILY_PURCHASE_LIMIT]: '100000',
};

/** Every purchase a bench makes approved by policy (all cost far under $1,000). */
export function autoApproveAll(): Record<string, string> {
  return approvalPolicyEnv(resolveProcureConfig({ autoApproveMaxUsd: 1000 }));
}
