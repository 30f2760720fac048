import { sampleOf } from '../local/procure/sandboxes';
import type { PurchaseRequestBody } from '../local/procure/vendor-sandbox';
import type { Vendor } from '../../lambdas/core/vendor-names';

export type { PurchaseRequestBody } from '../local/procure/vendor-sandbox';

/**
 * The purchases `procure local` and `procure demo` submit: each vendor's sample, declared with its
 * sandbox part (lambdas/vendors/<vendor>/sandbox.ts), valid against lambdas/core/purchase-request.ts
 * and bought from the local sandboxes. The requestId is the caller's idempotency key, so each run
 * passes a fresh one.
 */
export function sampleRequest(vendor: Vendor, requestId: string): PurchaseRequestBody {
  return sampleOf(vendor).request(requestId);
}

/** How the console names a vendor's sample: "a CoCalc site license". */
export function sampleWhat(vendor: Vendor): string {
  return sampleOf(vendor).what;
}

/** A requestId that differs per run and says when it was made: `sample-20261128T230003Z`. */
export function timestampedRequestId(prefix: string, now = new Date()): string {
  return `${prefix}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}
