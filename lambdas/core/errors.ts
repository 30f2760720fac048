/**
 * Error classes shared by the domain, the vendor gateways and the handlers. Each sets `this.name`
 * so Step Functions `Retry` / `Catch` can match it by name (HOUSE-STYLE "Code"). The name is a
 * literal on every class, never `new.target.name`: the bundles are minified without keepNames, so
 * class identifiers do not survive, and test/unit/error-names.test.ts checks each literal against
 * its class. Messages never carry secret values.
 */
export class ProcureError extends Error {
  override name = 'ProcureError';
  constructor(message: string) {
    super(message);
  }
}

// ---- input and policy --------------------------------------------------------------------
/** A request, event or HTTP body failed its schema. `issues` are human-readable reasons. */
export class InvalidRequestError extends ProcureError {
  override name = 'InvalidRequestError';
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
  }
}
/** A reservation would take a vendor's monthly spend over its cap. */
export class BudgetExceededError extends ProcureError {
  override name = 'BudgetExceededError';
}
/** The per-day purchase count is used up. */
export class DailyLimitExceededError extends ProcureError {
  override name = 'DailyLimitExceededError';
}
/** The quoted cost is above the requester's own `maxCost`. */
export class MaxCostExceededError extends ProcureError {
  override name = 'MaxCostExceededError';
}
/** The vendor's server-side total differs from the amount that was quoted and approved. */
export class QuoteMismatchError extends ProcureError {
  override name = 'QuoteMismatchError';
}
/** Another purchase holds the per-account lock; safe to retry later. */
export class LockBusyError extends ProcureError {
  override name = 'LockBusyError';
}
/** After an unknown outcome, reconciliation could not prove whether the purchase happened. */
export class PurchaseOutcomeUnknownError extends ProcureError {
  override name = 'PurchaseOutcomeUnknownError';
}
/** The new license did not show up in the vendor's listing. */
export class LicenseNotFoundError extends ProcureError {
  override name = 'LicenseNotFoundError';
}

// ---- vendor errors (both vendors) -------------------------------------------------------------
/** The vendor did not accept our credentials (CoCalc "must be signed in", InterServer blank sid). */
export class VendorAuthError extends ProcureError {
  override name = 'VendorAuthError';
}
/** The vendor refused the call for a reason that repeating it will not change. */
export class VendorRejectedError extends ProcureError {
  override name = 'VendorRejectedError';
}
/**
 * 5xx, connection reset, timeout: the call may or may not have taken effect. Only calls that are
 * safe to repeat are retried on it; purchases reconcile first.
 */
export class VendorTransientError extends ProcureError {
  override name = 'VendorTransientError';
}
/** CoCalc throttle: `retryAfterSeconds` is parsed from the vendor message. */
export class VendorRateLimitedError extends ProcureError {
  override name = 'VendorRateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

// ---- approvals ---------------------------------------------------------------------------------
export class ApprovalNotFoundError extends ProcureError {
  override name = 'ApprovalNotFoundError';
}
export class ApprovalExpiredError extends ProcureError {
  override name = 'ApprovalExpiredError';
}
export class ApprovalAlreadyDecidedError extends ProcureError {
  override name = 'ApprovalAlreadyDecidedError';
}
/** SendTaskSuccess/Failure on a token that expired or was already used (AWS TaskTimedOut). */
export class TaskClosedError extends ProcureError {
  override name = 'TaskClosedError';
}
/** Same requestId, different request body. */
export class RequestConflictError extends ProcureError {
  override name = 'RequestConflictError';
}
/** A conditional purchase-status write met a status it must not overwrite (e.g. a final one). */
export class PurchaseStatusConflictError extends ProcureError {
  override name = 'PurchaseStatusConflictError';
}
