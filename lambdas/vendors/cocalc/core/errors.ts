import { ProcureError } from '../../../core/errors';

/** CoCalc's own errors (procure's and every vendor's are in core/errors.ts); the state machine matches them by name. */

/**
 * A CoCalc checkout's outcome is not known yet (the call failed after it may have been sent, or a
 * step died mid-checkout). Nothing is repeated blindly: the state machine waits, then Checkout
 * runs again and first proves whether our item was bought.
 */
export class CheckoutOutcomeUnknownError extends ProcureError {
  override name = 'CheckoutOutcomeUnknownError';
}

/** The vendor-side cart item is not what the approver approved (edited at the vendor). Nothing bought. */
export class CartItemChangedError extends ProcureError {
  override name = 'CartItemChangedError';
}

/** The vendor's add limit is booked too far ahead to wait for (cart-slot.ts). Nothing added. */
export class CartSlotUnavailableError extends ProcureError {
  override name = 'CartSlotUnavailableError';
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
