import { Duration } from 'aws-cdk-lib';
import { JitterType, type RetryProps } from 'aws-cdk-lib/aws-stepfunctions';
import { LicenseNotFoundError, LockBusyError, VendorRateLimitedError, VendorTransientError } from '../../lambdas/core/errors';
import { RateSlotsContendedError } from '../../lambdas/core/rate-slots';

/**
 * The purchase workflow's Retry rules, one per reason a repeat is safe. Each Task of
 * purchase-state-machine.ts takes only the rules that hold for it; a rule that does not say why a
 * repeat cannot buy twice does not belong here.
 */

// ---- retry policy ---------------------------------------------------------------------------
// Error names come from the classes (each sets this.name to its class name), so a rename there
// cannot silently disarm a Retry here.

/**
 * Lambda service errors of the Invoke call itself. Retried only for tasks that are safe to run
 * twice: several of them (timeouts, ServiceException) can happen after the function ran.
 */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/** Full jitter (a vendor's own retry rules in its stack part use it too). */
export const jitter = { jitterStrategy: JitterType.FULL } as const;

/** Vendor reads and idempotent writes: transient vendor errors, throttling, Lambda service errors. */
export const SAFE_TO_REPEAT: RetryProps[] = [
  { errors: [VendorTransientError.name], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, ...jitter },
  // CoCalc's throttle window is tens of seconds; start slower than for a transient error.
  { errors: [VendorRateLimitedError.name], interval: Duration.seconds(10), maxAttempts: 3, backoffRate: 2, maxDelay: Duration.seconds(60), ...jitter },
  { errors: [...LAMBDA_SERVICE_ERRORS], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, ...jitter },
];

/**
 * A function that ran out of time (Lambda reports `Sandbox.Timedout`, or `Lambda.Unknown` on the
 * older integration) may have done part of its work. Retried only for the steps whose every write
 * is idempotent and which call no vendor that can charge: VerifyLicense (reads). Not for
 * PreparePurchase, whose cart add could still be in flight to CoCalc when a second run looks for
 * it (AddToCart was never retried on a timeout either). The price: a PreparePurchase that times
 * out before its add, or an InterServer one (no add at all), now ends the purchase instead of
 * running again, where ValidateAndQuote and ReserveBudget used to be retried. Nothing is spent
 * (RecordNotCompleted releases the budget and deletes a recorded item; the reconciler finds a
 * tagged one) and the request can be sent again; PreparePurchase has 60 s for a quote, a
 * reservation and one add, where ReserveBudget, the step a busy host pushed past its time, had 15.
 */
const TIMED_OUT_IDEMPOTENT: RetryProps = {
  errors: ['Sandbox.Timedout', 'Lambda.Unknown'],
  interval: Duration.seconds(2),
  maxAttempts: 2,
  backoffRate: 2,
  ...jitter,
};

/** The steps whose every write is idempotent and that call no vendor that charges or adds. */
export const IDEMPOTENT_STEP: RetryProps[] = [...SAFE_TO_REPEAT, TIMED_OUT_IDEMPOTENT];

/** VerifyLicense: a new license can take a while to appear in the vendor's listing. */
export const LISTING_LAG: RetryProps = {
  errors: [LicenseNotFoundError.name],
  interval: Duration.seconds(10),
  maxAttempts: 5,
  backoffRate: 2,
  maxDelay: Duration.seconds(120),
  ...jitter,
};

/**
 * AddToCart, Checkout, BuyLicense: the lock is taken before any vendor call, so LockBusyError
 * means nothing was done. The waiting is the state machine's (no Lambda polls a lock); a holder
 * that died frees the lock within its function timeout plus a margin (locks.ts lockLeaseMs), which
 * these attempts outlast: ~1 + 1.5 + 2.25 + ... capped at 10 s, 40 attempts, up to about 6 minutes
 * (about 3 on average, the full jitter halving each wait).
 */
export const LOCK_BUSY: RetryProps = {
  errors: [LockBusyError.name],
  interval: Duration.seconds(1),
  maxAttempts: 40,
  backoffRate: 1.5,
  maxDelay: Duration.seconds(10),
  ...jitter,
};

/** AddToCart: the slot ledger lost its conditional writes to others; nothing was reserved or sent. */
export const SLOTS_CONTENDED: RetryProps = {
  errors: [RateSlotsContendedError.name],
  interval: Duration.seconds(1),
  maxAttempts: 5,
  backoffRate: 2,
  ...jitter,
};

/**
 * Every Lambda task, first: a throttled Invoke (`Lambda.TooManyRequestsException`, HTTP 429) was
 * refused before any code started, so running it again cannot repeat a side effect, even for
 * BuyLicense and Checkout. Lambda's concurrency quota is shared by every function of the account
 * and Region (1,000 by default, far fewer in a new account), so a burst, or anything else in the
 * account, can throttle a step for a while: the retries go on for minutes (1 + 2 + 4 + ... capped
 * at 30 s, 12 attempts, about 4 minutes at most) rather than end a purchase that was never tried.
 * For BuyLicense this is the only Lambda error retried: ServiceException / SdkClientException /
 * ClientExecutionTimeoutException can arrive after the function started, and a retry could buy a
 * second license.
 */
export const THROTTLED: RetryProps = {
  errors: ['Lambda.TooManyRequestsException'],
  interval: Duration.seconds(1),
  maxAttempts: 12,
  backoffRate: 2,
  maxDelay: Duration.seconds(30),
  ...jitter,
};

/**
 * THROTTLED for BuyLicense, shorter: after a buy of unknown outcome the function keeps the IP+type
 * lock for BUY_RECHECK_HOLD_MS (vendors/interserver/core/license-lock.ts) past its invocation, which
 * must outlast the BUY_SETTLE wait (vendors/interserver/stack.ts) plus every throttled Invoke of the run that settles it: 1 + 2 + 4 + 4 + 4 s at
 * most. A BuyLicense still throttled after that ends the purchase through its Catch (a first run
 * never bought; a settling run is reconciled there), never with the lock lapsed under it.
 */
export const THROTTLED_BUY: RetryProps = { ...THROTTLED, maxAttempts: 5, maxDelay: Duration.seconds(4) };

/** RecordOutcome is idempotent (conditional writes keyed by purchase): any task failure may repeat. */
export const RECORD_RETRY: RetryProps = { errors: ['States.TaskFailed'], interval: Duration.seconds(2), maxAttempts: 5, backoffRate: 2, ...jitter };

/**
 * Step Functions waits this much longer than the function's own timeout before it gives up on a
 * task: the function must always end first (and report), never be abandoned mid-purchase while
 * the workflow compensates. Also keeps the local engine's 60 s default task timeout out of play.
 */
export const TASK_TIMEOUT_MARGIN = Duration.seconds(30);
