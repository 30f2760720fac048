import { autoApprovePolicy } from '../../lambdas/core/approval-policy';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError, QuoteMismatchError } from '../../lambdas/core/errors';
import type { AuditEntry } from '../../lambdas/core/ports';
import type { PurchaseRequest } from '../../lambdas/core/purchase-request';
import { quoteOf, REQUOTED, requoteOf } from '../../lambdas/core/validate-and-quote';
import { cocalcRequest, interserverRequest } from '../support/requests';

/** ValidateAndQuote's rules as tables: the mismatch and the earlier re-quotes -> a re-quote or a refusal; the price -> the quote. */

/** A QUOTE_MISMATCH entry as a money step writes it, and the REQUOTED entry ValidateAndQuote writes for one. */
const mismatchEntry = (seq: string, detail: Record<string, unknown>): AuditEntry => ({
  purchaseId: 'pur-1',
  seq,
  at: '',
  type: 'QUOTE_MISMATCH',
  status: 'APPROVED',
  detail,
});
const FIRST = mismatchEntry('s1', { vendorTotalUsd: 14, approvedUsd: 12.5, cart: [] });
const SECOND = mismatchEntry('s3', { vendorTotalUsd: 15, approvedUsd: 14 });
const requoted = (mismatch: string): AuditEntry => ({ purchaseId: 'pur-1', seq: 's2', at: '', type: REQUOTED, status: 'QUOTED', detail: { mismatch } });
const other = (seq: string): AuditEntry => ({
  purchaseId: 'pur-1',
  seq,
  at: '',
  type: 'VENDOR_CALL',
  status: 'PURCHASING',
  detail: { vendorTotalUsd: 99, approvedUsd: 1 },
});

describe('a re-quote after a mismatch', () => {
  it.each([
    {
      why: 'the first mismatch is re-quoted at the vendor total it recorded',
      trail: [other('s0'), FIRST],
      expected: { vendorTotalUsd: 14, approvedUsd: 12.5, seq: 's1' },
    },
    {
      why: 'the same mismatch again is a retry of this step',
      trail: [FIRST, requoted('s1')],
      expected: { vendorTotalUsd: 14, approvedUsd: 12.5, seq: 's1' },
    },
    {
      why: 'the latest mismatch counts, and entries of other kinds with amounts do not',
      trail: [mismatchEntry('s0', { vendorTotalUsd: 13, approvedUsd: 12.5 }), FIRST, other('s9')],
      expected: { vendorTotalUsd: 14, approvedUsd: 12.5, seq: 's1' },
    },
  ])('$why', ({ trail, expected }) => {
    expect(requoteOf(trail)).toEqual(expected);
  });

  it.each([
    { why: 'a second, different mismatch is not asked a third time', trail: [FIRST, requoted('s1'), SECOND], error: QuoteMismatchError },
    { why: 'no recorded mismatch: nothing to re-quote', trail: [other('s0')], error: InvalidRequestError },
    { why: 'a mismatch entry without both amounts cannot be re-quoted', trail: [mismatchEntry('s1', { vendorTotalUsd: 14 })], error: InvalidRequestError },
    {
      why: 'an amount that is not a number is no amount',
      trail: [mismatchEntry('s1', { vendorTotalUsd: '14', approvedUsd: 12.5 })],
      error: InvalidRequestError,
    },
  ])('$why', ({ trail, error }) => {
    expect(() => requoteOf(trail)).toThrow(error);
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
      requote: { vendorTotalUsd: 14, approvedUsd: 12.5, seq: 's1' },
      max: 100,
      expected: { amountUsd: 14, summary: "s; re-quoted at the vendor's total $14.00 (was $12.50)", autoApprove: false, approvalsNeeded: 1 },
    },
    {
      why: "the vendor's quote fields (InterServer: the type) are carried",
      request: interserver,
      priced: { amountUsd: 20, summary: 's', quote: { interserverTypeId: type.id, interserverTypeName: type.name } },
      requote: undefined,
      max: 0,
      expected: { vendor: 'interserver', interserverTypeId: 5006, interserverTypeName: 'cPanel', autoApprove: false },
    },
  ])('$why', ({ request, priced, requote, max, expected }) => {
    expect(quoteOf(request, priced, requote, autoApprovePolicy(max, ['boss@example.com']))).toMatchObject(expected);
  });
});
