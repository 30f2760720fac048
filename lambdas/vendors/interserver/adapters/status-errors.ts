import { VendorRejectedError, type ProcureError } from '../../../core/errors';
import {
  AccountLockedError,
  InsufficientPrepayError,
  InvalidCouponError,
  InvalidIpError,
  InvalidLicenseIdError,
  InvalidLicenseTypeError,
  InvalidSessionError,
  IpNotAllowedError,
  LicenseAlreadyExistsError,
} from '../core/errors';

/**
 * The one mapping from InterServer `status_text` messages to typed errors (interserver-soap.md §4,
 * §5). The server accumulates several messages, each ending in "\n", so the text is split into
 * lines and the FIRST recognised line decides the class (the server's check order puts the most
 * fundamental problem first); the error message always carries the whole text.
 */
type ErrorClass = new (message: string) => ProcureError;

const RULES: ReadonlyArray<readonly [RegExp, ErrorClass]> = [
  [/^Invalid Session ID/, InvalidSessionError],
  [/^That IP is already licensed in our system/, LicenseAlreadyExistsError],
  [/^Invalid IP Address/, InvalidIpError],
  [/^Invalid licenses Coupon /, InvalidCouponError],
  [/^You do not have enough Pre-Pay/, InsufficientPrepayError],
  [/^Locked Account\./, AccountLockedError],
  [/^Your IP appears to be within /, IpNotAllowedError],
  [/^This IP does not appear to be a .* IP/, IpNotAllowedError],
  [/^Invalid License ID\b/, InvalidLicenseIdError],
  // The real server has no unknown-type check (§5 step 1); this is the sandbox's own text.
  [/^Invalid License Type\b/, InvalidLicenseTypeError],
];

/** The error class for a status_text; VendorRejectedError when no line is recognised. */
export function classifyStatusText(statusText: string): ErrorClass {
  for (const line of statusText.split('\n')) {
    const trimmed = line.trim();
    const rule = RULES.find(([pattern]) => pattern.test(trimmed));
    if (rule) return rule[1];
  }
  return VendorRejectedError;
}

/** True when the server rejected the session id (§5: a status, not a fault). */
export function isInvalidSessionText(statusText: string): boolean {
  return classifyStatusText(statusText) === InvalidSessionError;
}

/** The typed error for a `status: "error"` answer of `operation`. */
export function statusError(operation: string, statusText: string): ProcureError {
  const text = statusText.trim();
  const ErrorClass = classifyStatusText(text);
  return new ErrorClass(`InterServer ${operation} failed: ${text === '' ? '(empty status_text)' : text}`);
}
