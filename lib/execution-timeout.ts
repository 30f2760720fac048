/**
 * How long a purchase execution may run, derived from the approval wait; apart from the rest of
 * the configuration because the state machine and the validation both depend on it.
 */

/** Approval rounds one purchase can take: a quote mismatch at checkout asks again. */
const APPROVAL_ROUNDS = 2;
/** Time an execution gets for everything besides waiting for approvals. */
const WORK_SECONDS = 3600;
/** Step Functions' limit on a standard execution: one year. */
const MAX_EXECUTION_SECONDS = 365 * 24 * 3600;

/**
 * The purchase state machine's timeout for a given approval wait: two approval rounds plus an
 * hour for everything else.
 */
export function executionTimeoutSeconds(approvalTimeoutSeconds: number): number {
  return APPROVAL_ROUNDS * approvalTimeoutSeconds + WORK_SECONDS;
}

/** Longest approval wait whose {@link executionTimeoutSeconds} still fits Step Functions' one-year limit. */
export const MAX_APPROVAL_TIMEOUT_SECONDS = Math.floor((MAX_EXECUTION_SECONDS - WORK_SECONDS) / APPROVAL_ROUNDS);
