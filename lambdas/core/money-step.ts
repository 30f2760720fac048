import type { PurchaseJournal } from './purchase-journal';
import type { LockManager } from './ports';
import type { WorkflowState } from './workflow';

/**
 * What every step that spends money (Checkout, BuyLicense) is given besides its vendor: the
 * purchase journal, the vendor-account locks and the approval check. One declaration, so the two
 * money steps cannot drift apart in what they are wired with.
 */
export interface MoneyStepDeps extends PurchaseJournal {
  locks: LockManager;
  /** Proves the purchase was approved (lambdas/core/verify-approval.ts); throws before any vendor call when not. */
  verifyApproval: (state: WorkflowState) => Promise<void>;
}

/** Where a step logs what it cannot put in the audit trail (structurally the shared logger, lambdas/shared/logger.ts). */
export interface StepLog {
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}
