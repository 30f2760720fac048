import type { HeldItemId } from './held-item';
import { AUDIT, type AuditKind } from './audit-kinds';
import { vendorLabel } from './vendor-names';
import { CLEANUP_STEPS, type CleanupStep } from './cleanup-steps';
import { describeFailure, failureReason, type FailureDescription } from './failure';
import type { AuditEntry, PurchaseRecord } from './ports';
import type { PurchaseStatus, WorkflowState } from './workflow';
import { errorsMeaning, type Vendor } from './vendors';

/**
 * RecordOutcome's decisions, pure: whether a purchase is already closed, what it ended as and why
 * (classification), and what its compensation results make of that end. The use case
 * (record-outcome.ts) runs the compensation steps and writes the end; test/unit/outcome-rules.test.ts
 * tables these rules.
 */

/**
 * Audit entry types that end a purchase; their presence makes a retried RecordOutcome a no-op.
 * RESOLVED is a person's finding on a NEEDS_ATTENTION purchase (core/resolve-purchase.ts).
 */
export const CLOSED = { completed: AUDIT.completed, notCompleted: AUDIT.notCompleted, resolved: AUDIT.resolved } as const;

/** The closing entry types as a set. */
export const CLOSING_TYPES: ReadonlySet<AuditKind> = new Set(Object.values(CLOSED));

/** What the purchase ended as. */
export interface RecordedOutcome {
  status: PurchaseStatus;
  reason?: string;
}

/** The end already written, if any: the latest closing entry (a RESOLVED entry follows the NOT_COMPLETED one it settles). */
export function recordedEnd(trail: readonly AuditEntry[]): RecordedOutcome | undefined {
  const closed = [...trail].reverse().find((e) => CLOSING_TYPES.has(e.type));
  if (!closed) return undefined;
  return { status: closed.status, ...(typeof closed.detail?.reason === 'string' ? { reason: closed.detail.reason } : {}) };
}

/** Errors that say the request itself was wrong: INVALID rather than FAILED (and the vendor's own, its profile's `errorMeanings`). */
const INVALID_ERRORS: ReadonlySet<string> = new Set(['InvalidRequestError', 'MaxCostExceededError', 'RequestConflictError']);

/** Whether `error` says the request to `vendor` was wrong as written. */
function isInvalidRequestError(error: string, vendor: Vendor): boolean {
  return INVALID_ERRORS.has(error) || errorsMeaning(vendor, 'invalidRequest').includes(error);
}
/** Step Functions' own timeouts: on the approval task they mean nobody decided in time. */
const TIMEOUT_ERRORS = new Set(['States.Timeout', 'States.HeartbeatTimeout']);
/**
 * Statuses of a purchase whose approval task can have timed out: waiting, or decided by a link
 * whose decision reached the machine too late (the approvals API records the decision before it
 * learns that the task is closed).
 */
const APPROVAL_WAIT_STATUSES = new Set<PurchaseStatus>(['AWAITING_APPROVAL', 'APPROVED', 'REJECTED']);

/**
 * The end state. Money first: whenever a vendor purchase may have happened the answer is
 * NEEDS_ATTENTION, whatever the error says, because only a human can tell.
 */
export function classifyEnd(state: WorkflowState, record: PurchaseRecord | undefined, failure: FailureDescription | undefined): PurchaseStatus {
  if (failure?.error === 'PurchaseOutcomeUnknownError' || purchaseStarted(state, record)) return 'NEEDS_ATTENTION';
  if (state.approval?.decision === 'REJECTED') return 'REJECTED';
  // Only the approval task's timeout means "nobody decided"; a step's own Lambda timeout is a failure.
  // Without $.approval the machine never received a decision, whatever the record says. In a second
  // round (the vendor's total moved, $.mismatch) $.approval still holds the first round's decision:
  // then a record still AWAITING_APPROVAL says the second round went unanswered.
  const undecided = !state.approval || (state.mismatch !== undefined && record?.status === 'AWAITING_APPROVAL');
  if (failure && TIMEOUT_ERRORS.has(failure.error) && undecided && record && APPROVAL_WAIT_STATUSES.has(record.status)) return 'EXPIRED';
  if (failure && isInvalidRequestError(failure.error, state.request.vendor)) return 'INVALID';
  return 'FAILED';
}

/** Whether a vendor purchase call started (or finished) for this purchase. */
export function purchaseStarted(state: WorkflowState, record: PurchaseRecord | undefined): boolean {
  return (
    record?.status === 'PURCHASING' ||
    record?.status === 'PURCHASED' ||
    record?.licenseId !== undefined ||
    record?.invoice !== undefined ||
    state.purchase !== undefined
  );
}

/** Why the purchase ended as `status`, in words that are true of what procure knows. */
export function reasonForEnd(state: WorkflowState, record: PurchaseRecord | undefined, status: PurchaseStatus): string {
  const failed = state.failure ? failureReason(state.failure) : undefined;
  if (status === 'REJECTED' && state.approval) {
    return `rejected by ${state.approval.approver}${state.approval.comment ? `: ${state.approval.comment}` : ''}`;
  }
  if (status === 'EXPIRED') return `nobody decided on the approval in time (${failureReason(state.failure)})`;
  if (status === 'NEEDS_ATTENTION' && describeFailure(state.failure).error !== 'PurchaseOutcomeUnknownError') {
    const vendor = vendorLabel(state.request.vendor);
    const licenseId = state.purchase?.licenseId ?? record?.licenseId;
    const after = failed ? `: ${failed}` : '';
    if (licenseId) return `${vendor} license ${licenseId} was bought, but the workflow failed after the purchase${after}`;
    if (record?.status === 'PURCHASING') return `the ${vendor} purchase call started and did not report an outcome${after}`;
    const invoice = state.purchase?.invoice ?? record?.invoice;
    return `the ${vendor} purchase went through${invoice ? ` (invoice ${invoice})` : ''} without naming a license, and the workflow failed after it${after}`;
  }
  return failed ?? 'the purchase did not complete';
}

/** How one compensation step went: its outcome, or the error it failed with (audited, never thrown). */
export type StepResult<T> = { ok: true; outcome: T } | { ok: false; error: string };

/** What taking back the item the vendor's preparation left (CoCalc: our cart item) found. */
export type CartCleanup = 'none' | 'deleted' | 'gone' | 'purchased';

/** A purchase's end while its compensation runs. */
export interface EndInProgress {
  status: PurchaseStatus;
  reason: string;
  /** Compensation steps left undone, in the order they must run (for the reconciler). */
  pending: CleanupStep[];
  errors: string[];
}

/** The classified end before any compensation. */
export function startEnd(status: PurchaseStatus, reason: string): EndInProgress {
  return { status, reason, pending: [], errors: [] };
}

/** Whether our cart item is to be deleted: never once money may have been spent (NEEDS_ATTENTION keeps everything for a person). */
function cleansCart(end: EndInProgress): boolean {
  return end.status !== 'NEEDS_ATTENTION';
}

/**
 * The end after the cart cleanup. An item the vendor shows purchased means money was spent. A
 * failed delete leaves the budget reserved too: the release follows the delete, never precedes it.
 */
export function afterCartCleanup(
  end: EndInProgress,
  cart: StepResult<CartCleanup>,
  item: { vendor: string; noun: string; id: HeldItemId | undefined },
): EndInProgress {
  if (cart.ok && cart.outcome === 'purchased') {
    return { ...end, status: 'NEEDS_ATTENTION', reason: `${end.reason}; yet ${item.vendor} reports ${item.noun} ${item.id} as PURCHASED, so money was spent` };
  }
  if (!cart.ok) {
    return {
      ...end,
      pending: [...end.pending, CLEANUP_STEPS.deleteCartItem, CLEANUP_STEPS.releaseReservation],
      errors: [...end.errors, `${CLEANUP_STEPS.deleteCartItem}: ${cart.error}`],
    };
  }
  return end;
}

/** Whether the reservation is released now: only for an end that spent nothing, with nothing left pending before it. */
function releasesBudget(end: EndInProgress): boolean {
  return end.status !== 'NEEDS_ATTENTION' && end.pending.length === 0;
}

/** The end after the release. */
export function afterRelease(end: EndInProgress, released: StepResult<string>): EndInProgress {
  if (released.ok) return end;
  return {
    ...end,
    pending: [...end.pending, CLEANUP_STEPS.releaseReservation],
    errors: [...end.errors, `${CLEANUP_STEPS.releaseReservation}: ${released.error}`],
  };
}

/** The final end: cleanup that did not finish makes it NEEDS_ATTENTION, remembering what it would have been. */
export function finalEnd(end: EndInProgress): { status: PurchaseStatus; reason: string; pending: CleanupStep[]; statusAfterCleanup?: PurchaseStatus } {
  if (!end.pending.length) return { status: end.status, reason: end.reason, pending: [] };
  return {
    status: 'NEEDS_ATTENTION',
    reason: `${end.reason}; then cleanup did not finish (${end.errors.join('; ')})`,
    pending: end.pending,
    statusAfterCleanup: end.status,
  };
}

/** The compensation steps, as RecordNotCompleted runs them (each audits itself and never throws). */
interface CompensationSteps {
  /** Takes back what the vendor's preparation left (CoCalc: deletes our cart item). */
  takeBack(status: PurchaseStatus): Promise<StepResult<CartCleanup>>;
  /** Releases the budget reservation. */
  release(status: PurchaseStatus): Promise<StepResult<string>>;
}

/**
 * The compensation of a classified end, in its one order: the take-back first (unless money may
 * have been spent), then the release (only if the end still spent nothing, the take-back having
 * found no bought item, and nothing is pending before it), then the final end.
 * RecordNotCompleted runs it with the real steps; test/unit/outcome-rules.test.ts with given results.
 */
export async function compensateEnd(
  start: EndInProgress,
  steps: CompensationSteps,
  item: { vendor: string; noun: string; id: HeldItemId | undefined },
): Promise<ReturnType<typeof finalEnd>> {
  let end = start;
  if (cleansCart(end)) end = afterCartCleanup(end, await steps.takeBack(end.status), item);
  if (releasesBudget(end)) end = afterRelease(end, await steps.release(end.status));
  return finalEnd(end);
}
