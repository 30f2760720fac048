import { Duration } from 'aws-cdk-lib';
import { BUY_SETTLE, LOCK_BUSY, THROTTLED_BUY } from '../../../lib/constructs/purchase-retries';
import { ON_FAILURE, vendorStack } from '../../../lib/vendor-stack';
import { STATE } from '../../core/workflow';

/** InterServer's CDK needs (lib/vendor-stack.ts): the buy, and who calls InterServer. */
export const interserverStack = vendorStack({
  vendor: 'interserver',
  functions: {
    InterserverBuy: { sizing: { timeout: Duration.seconds(60), memorySize: 512 }, uses: ['tables', 'auditReaders', 'approvalPolicy'] },
  },
  // PreparePurchase and QuotesApi read InterServer's catalog to price a license type.
  callers: ['PreparePurchase', 'InterserverBuy', 'VerifyLicense', 'ListLicenses', 'QuotesApi'],
  purchaseSteps: (machine) => {
    const buyLicense = machine
      .task(STATE.BuyLicense, 'InterserverBuy', '$.purchase', [LOCK_BUSY, BUY_SETTLE], THROTTLED_BUY)
      .addCatch(machine.recordNotCompleted, ON_FAILURE);
    buyLicense.next(machine.verifyLicense);
    return { buy: buyLicense };
  },
});
