import { INTERSERVER_STATES } from './core/states';
import { Duration } from 'aws-cdk-lib';
import type { RetryProps } from 'aws-cdk-lib/aws-stepfunctions';
import { LOCK_BUSY, THROTTLED_BUY } from '../../../lib/constructs/purchase-retries';
import { ON_FAILURE, vendorStack } from '../../../lib/vendor-stack';
import { BuyOutcomeUnknownError } from './core/errors';

/**
 * BuyLicense after a buy of unknown outcome: wait for the vendor to settle, then run BuyLicense
 * again, which still holds the IP+type lock (BUY_RECHECK_HOLD_MS outlasts these waits) and first
 * lists what the buy may have created; it buys again only after proving it bought nothing, at
 * most twice in all, so two of these suffice (one more to spare). Waits of 2, 4 and 8 s exactly:
 * no jitter, which would shorten the first below the 2 s the vendor is given to settle before the
 * listing that may prove nothing was bought.
 */
const BUY_SETTLE: RetryProps = {
  errors: [BuyOutcomeUnknownError.name],
  interval: Duration.seconds(2),
  maxAttempts: 3,
  backoffRate: 2,
  maxDelay: Duration.seconds(8),
};

/** InterServer's CDK needs (lib/vendor-stack.ts): the buy, and who calls InterServer. */
export const stack = vendorStack({
  vendor: 'interserver',
  functions: {
    InterserverBuy: { sizing: { timeout: Duration.seconds(60), memorySize: 512 }, uses: ['tables', 'auditReaders', 'approvalPolicy'] },
  },
  // PreparePurchase and QuotesApi read InterServer's catalog to price a license type.
  callers: ['PreparePurchase', 'InterserverBuy', 'VerifyLicense', 'ListLicenses', 'QuotesApi'],
  library: 'soap',
  purchaseSteps: (machine) => {
    const buyLicense = machine
      .task(INTERSERVER_STATES.BuyLicense, 'InterserverBuy', '$.purchase', [LOCK_BUSY, BUY_SETTLE], THROTTLED_BUY)
      .addCatch(machine.recordNotCompleted, ON_FAILURE);
    buyLicense.next(machine.verifyLicense);
    return { buy: buyLicense };
  },
});
