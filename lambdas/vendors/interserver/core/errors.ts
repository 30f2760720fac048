import { ProcureError, VendorAuthError, VendorRejectedError } from '../../../core/errors';

/** InterServer's own errors (procure's and every vendor's are in core/errors.ts); the state machine matches them by name. */

/**
 * An InterServer buy's outcome is not known yet (the call failed after it may have reached the
 * vendor). The handler sleeps on nothing: the state machine waits, then BuyLicense runs again,
 * still holding the IP+type lock, and first lists what the buy may have created.
 */
export class BuyOutcomeUnknownError extends ProcureError {
  override name = 'BuyOutcomeUnknownError';
}

// ---- its status_text errors (shared/vendors/interserver-soap.md §5) ------------------------------
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
