import { describe, expect, it } from 'vitest';
import type { PurchaseRequest } from '../../lambdas/core/purchase-request';
import { interserverLicenseMismatch } from '../../lambdas/vendors/interserver/core/licenses';
import type { Quote } from '../../lambdas/core/workflow';
import { cocalcRequest, interserverRequest } from '../support/requests';

/** VerifyLicense's rule: the listed license must be the one the purchase asked for (IP and type). */
describe('is the listed InterServer license ours', () => {
  const request = interserverRequest() as unknown as PurchaseRequest; // 203.0.113.10, type 5006
  const quote = { vendor: 'interserver', amountUsd: 20, summary: '', interserverTypeId: 5006, autoApprove: false } satisfies Quote;
  it.each([
    { why: 'same IP and type', license: { ip: '203.0.113.10', type: 5006 }, state: { request, quote }, expected: undefined },
    {
      why: 'another IP',
      license: { ip: '203.0.113.11', type: 5006 },
      state: { request, quote },
      expected: 'InterServer license 42 is for 203.0.113.11 type 5006, not 203.0.113.10 type 5006',
    },
    {
      why: 'another type',
      license: { ip: '203.0.113.10', type: 1 },
      state: { request, quote },
      expected: 'InterServer license 42 is for 203.0.113.10 type 1, not 203.0.113.10 type 5006',
    },
    {
      why: 'no quoted type',
      license: { ip: '203.0.113.10', type: 5006 },
      state: { request },
      expected: 'InterServer license 42 is for 203.0.113.10 type 5006, not 203.0.113.10 type undefined',
    },
    {
      why: 'not an InterServer request',
      license: { ip: 'x', type: 1 },
      state: { request: cocalcRequest() as unknown as PurchaseRequest },
      expected: 'InterServer license 42 is not for this cocalc purchase',
    },
  ])('$why', ({ license, state, expected }) => {
    expect(interserverLicenseMismatch('42', license, state)).toBe(expected);
  });
});
