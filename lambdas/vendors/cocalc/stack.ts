import { COCALC_STATES } from './core/states';
import { Duration } from 'aws-cdk-lib';
import type { RetryProps } from 'aws-cdk-lib/aws-stepfunctions';
import { jitter, LOCK_BUSY, SAFE_TO_REPEAT, SLOTS_CONTENDED } from '../../../lib/constructs/purchase-retries';
import { ON_FAILURE, vendorStack } from '../../../lib/vendor-stack';
import { QuoteMismatchError } from '../../core/errors';
import { CheckoutOutcomeUnknownError } from './core/errors';

/**
 * Checkout after an unknown outcome: wait, then run Checkout again, which first settles the
 * earlier attempt at the vendor (bought, or proven not bought) and never buys blindly. When the
 * vendor stays unreachable the Catch ends the purchase NEEDS_ATTENTION (status PURCHASING).
 */
const CHECKOUT_SETTLE: RetryProps = {
  errors: [CheckoutOutcomeUnknownError.name],
  interval: Duration.seconds(5),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.seconds(120),
  ...jitter,
};

/** CoCalc's CDK needs (lib/vendor-stack.ts): cart add and checkout, and who calls CoCalc. */
export const stack = vendorStack({
  vendor: 'cocalc',
  functions: {
    CocalcAddToCart: { sizing: { timeout: Duration.seconds(60), memorySize: 512 }, uses: ['tables', 'auditReaders'] },
    CocalcCheckout: { sizing: { timeout: Duration.seconds(60), memorySize: 512 }, uses: ['tables', 'auditReaders', 'approvalPolicy'] },
  },
  // PreparePurchase makes the first add; RecordOutcome and Reconcile delete the parked cart item
  // when a purchase does not complete (its leftovers, core/leftovers.ts).
  callers: ['PreparePurchase', 'CocalcAddToCart', 'CocalcCheckout', 'VerifyLicense', 'RecordOutcome', 'Reconcile', 'ListLicenses'],
  library: 'undici',
  purchaseSteps: (machine) => {
    // The add after a wait for a slot of the vendor's add limit, with its own lock Retry.
    const addToCart = machine
      .task(COCALC_STATES.AddToCart, 'CocalcAddToCart', '$.cart', [LOCK_BUSY, SLOTS_CONTENDED, ...SAFE_TO_REPEAT])
      .addCatch(machine.recordNotCompleted, ON_FAILURE);
    // Never VendorTransientError, which may hide a completed checkout: the handler turns an
    // unknown outcome into CheckoutOutcomeUnknownError, which it settles before buying again.
    const checkout = machine
      .task(COCALC_STATES.Checkout, 'CocalcCheckout', '$.purchase', [LOCK_BUSY, CHECKOUT_SETTLE])
      // The vendor's total moved: re-quote and ask a human again (PreparePurchase sees $.mismatch).
      .addCatch(machine.preparePurchase, { errors: [QuoteMismatchError.name], resultPath: '$.mismatch' })
      .addCatch(machine.recordNotCompleted, ON_FAILURE);
    checkout.next(machine.verifyLicense);
    return { buy: checkout, afterWait: addToCart };
  },
});
