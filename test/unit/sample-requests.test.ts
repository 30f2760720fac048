import { describe, expect, it } from 'vitest';
import { intakeIssues, parsePurchaseRequest } from '../../lambdas/core/purchase-request';
import { VENDORS } from '../../lambdas/core/vendor-names';
import { sampleRequest, sampleWhat } from '../../lib/cli/sample-requests';

/**
 * The samples `procure local` and `procure demo` submit come from each vendor's sandbox part
 * (lambdas/vendors/<vendor>/sandbox.ts): one for every registered vendor, each a request intake
 * accepts as it stands, for its own vendor, with the caller's requestId.
 */
describe('sample requests', () => {
  it.each(VENDORS)("%s's sample is a valid request of its own vendor that intake accepts, under the caller's requestId", (vendor) => {
    const request = parsePurchaseRequest(sampleRequest(vendor, `sample-${vendor}-1`));

    expect(request).toMatchObject({ vendor, requestId: `sample-${vendor}-1` });
    expect(intakeIssues(request, new Date())).toEqual([]);
    expect(sampleWhat(vendor)).toMatch(/^an? \S/);
  });
});
