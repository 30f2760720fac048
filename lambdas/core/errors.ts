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
/**
 * A CoCalc checkout's outcome is not known yet (the call failed after it may have been sent, or a
 * step died mid-checkout). Nothing is repeated blindly: the state machine waits, then Checkout
 * runs again and first proves whether our item was bought.
 */
export class CheckoutOutcomeUnknownError extends ProcureError {
  override name = 'CheckoutOutcomeUnknownError';
}
/**
 * An InterServer buy's outcome is not known yet (the call failed after it may have reached the
 * vendor). The handler sleeps on nothing: the state machine waits, then BuyLicense runs again,
 * still holding the IP+type lock, and first lists what the buy may have created.
 */
export class BuyOutcomeUnknownError extends ProcureError {
  override name = 'BuyOutcomeUnknownError';
}
/** The vendor-side cart item is not what the approver approved (edited at the vendor). Nothing bought. */
export class CartItemChangedError extends ProcureError {
  override name = 'CartItemChangedError';
}
/** The vendor's add limit is booked too far ahead to wait for (cart-slot.ts). Nothing added. */
export class CartSlotUnavailableError extends ProcureError {
  override name = 'CartSlotUnavailableError';
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
/** CoCalc: "Insufficient credit on your account ... (you need $X)". */
export class InsufficientCreditError extends ProcureError {
  override name = 'InsufficientCreditError';
  constructor(
    message: string,
    readonly amountNeeded: number,
  ) {
    super(message);
  }
}
/** CoCalc legacy checkout: reCaptcha token required unless the account is a partner. */
export class CaptchaRequiredError extends ProcureError {
  override name = 'CaptchaRequiredError';
}

// ---- InterServer status_text errors (shared/vendors/interserver-soap.md §5) ------------------
export class LicenseAlreadyExistsError extends VendorRejectedError {
  override name = 'LicenseAlreadyExistsError';
}
export class InvalidIpError extends VendorRejectedError {
  override name = 'InvalidIpError';
}
export class InvalidCouponError extends VendorRejectedError {
  override name = 'InvalidCouponError';
}
export class InsufficientPrepayError extends VendorRejectedError {
  override name = 'InsufficientPrepayError';
}
export class AccountLockedError extends VendorRejectedError {
  override name = 'AccountLockedError';
}
export class IpNotAllowedError extends VendorRejectedError {
  override name = 'IpNotAllowedError';
}
export class InvalidLicenseIdError extends VendorRejectedError {
  override name = 'InvalidLicenseIdError';
}
export class InvalidLicenseTypeError extends VendorRejectedError {
  override name = 'InvalidLicenseTypeError';
}
/** "Invalid Session ID": the gateway logs in again once before surfacing it. */
export class InvalidSessionError extends VendorAuthError {
  override name = 'InvalidSessionError';
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
