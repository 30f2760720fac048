import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError, QuoteMismatchError } from '../../lambdas/core/errors';
import type { AuditEntry } from '../../lambdas/core/ports';
import type { PurchaseRequest } from '../../lambdas/core/purchase-request';
import { quoteMismatchError } from '../../lambdas/core/quote-mismatch';
import { quoteOf, REQUOTED, requoteOf } from '../../lambdas/core/validate-and-quote';
import { cocalcRequest, interserverRequest } from '../support/requests';

/** ValidateAndQuote's rules as tables: the mismatch and the earlier re-quotes -> a re-quote or a refusal; the price -> the quote. */

const FIRST = quoteMismatchError(14, 12.5, 'checkout').message;
const SECOND = quoteMismatchError(15, 14, 'checkout').message;
const requoted = (mismatch: string): AuditEntry => ({ purchaseId: 'pur-1', seq: '1', at: '', type: REQUOTED, status: 'QUOTED', detail: { mismatch } });

describe('a re-quote after a mismatch', () => {
  it.each([
    {
      why: 'the first mismatch is re-quoted at the vendor total',
      message: FIRST,
      earlier: [],
      expected: { vendorTotalUsd: 14, approvedUsd: 12.5, message: FIRST },
    },
    {
      why: 'the same mismatch again is a retry of this step',
      message: FIRST,
      earlier: [requoted(FIRST)],
      expected: { vendorTotalUsd: 14, approvedUsd: 12.5, message: FIRST },
    },
  ])('$why', ({ message, earlier, expected }) => {
    expect(requoteOf(message, earlier)).toEqual(expected);
  });

  it.each([
    { why: 'a second, different mismatch is not asked a third time', message: SECOND, earlier: [requoted(FIRST)], error: QuoteMismatchError },
    { why: 'a mismatch without amounts cannot be re-quoted', message: 'the vendor said no', earlier: [], error: InvalidRequestError },
  ])('$why', ({ message, earlier, error }) => {
    expect(() => requoteOf(message, earlier)).toThrow(error);
  });
});

describe('the quote', () => {
  const cocalc = cocalcRequest() as unknown as PurchaseRequest;
  const interserver = interserverRequest() as unknown as PurchaseRequest;
  const type = { id: 5006, name: 'cPanel', cost: 20 } as const;
  it.each([
    {
      why: 'under the auto-approve limit',
      request: cocalc,
      priced: { amountUsd: 10, summary: 's' },
      requote: undefined,
      max: 25,
      expected: { amountUsd: 10, summary: 's', autoApprove: true, approvalTier: 1, approvalsNeeded: 0 },
    },
    {
      why: 'over the auto-approve limit',
      request: cocalc,
      priced: { amountUsd: 30, summary: 's' },
      requote: undefined,
      max: 25,
      expected: { amountUsd: 30, autoApprove: false, approvalTier: 2, approvalsNeeded: 1 },
    },
    {
      why: 'a negative limit: a person always decides',
      request: cocalc,
      priced: { amountUsd: 0, summary: 's' },
      requote: undefined,
      max: -1,
      expected: { autoApprove: false },
    },
    {
      why: 'a re-quote: the vendor total, and a person decides',
      request: cocalc,
      priced: { amountUsd: 12.5, summary: 's' },
      requote: { vendorTotalUsd: 14, approvedUsd: 12.5, message: FIRST },
      max: 100,
      expected: { amountUsd: 14, summary: "s; re-quoted at the vendor's total $14.00 (was $12.50)", autoApprove: false, approvalsNeeded: 1 },
    },
    {
      why: 'an InterServer type is named',
      request: interserver,
      priced: { amountUsd: 20, summary: 's', type },
      requote: undefined,
      max: 0,
      expected: { vendor: 'interserver', interserverTypeId: 5006, interserverTypeName: 'cPanel', autoApprove: false },
    },
  ])('$why', ({ request, priced, requote, max, expected }) => {
    expect(quoteOf(request, priced, requote, autoApprovePolicy(max, ['boss@example.com']))).toMatchObject(expected);
  });
});
