import type { AuditLog, EventPublisher, PurchaseStore, SpendGuard } from './ports';
import type { Vendor } from './purchase-request';
import type { CountedReservation } from './reconcile';
import type { LeftoversByVendor } from './vendor-leftovers';
import type { PurchaseStatus, WorkflowState } from './workflow';

/** The budget counters' view of reservations (read-only). */
export interface ReservationLedger {
  /** Every purchase the vendor's budget counter for `month` (YYYY-MM) still counts, with its reservation record. */
  counted(vendor: Vendor, month: string): Promise<CountedReservation[]>;
}

/** Step Functions' view of a purchase's execution (named after the purchase). */
export interface ExecutionStatusReader {
  /** `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, ..., or `MISSING` when there is none. */
  statusOf(purchaseId: string, executionArn?: string): Promise<string>;
}

/** RecordNotCompleted's own code path (lambdas/handlers/record-outcome.ts), for one purchase. */
export type ClosePurchase = (state: WorkflowState) => Promise<{ status: PurchaseStatus; reason?: string }>;

/** The ports one reconciler run reads and acts through. */
export interface ReconcileDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  spendGuard: Pick<SpendGuard, 'release'>;
  reservations: ReservationLedger;
  executions: ExecutionStatusReader;
  /** procure's items at the vendors, to list and take back (core/vendor-leftovers.ts). */
  leftovers: LeftoversByVendor;
  events: EventPublisher;
  closePurchase: ClosePurchase;
  clock?: () => Date;
  /** Milliseconds left in this invocation (the Lambda context's getRemainingTimeInMillis). */
  remainingMs?: () => number;
}
