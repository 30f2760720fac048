import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../lambdas/core/ports';
import { quoteMismatchError, recordedMismatch } from '../../lambdas/core/quote-mismatch';

const entry = (seq: string, type: AuditEntry['type'], detail?: Record<string, unknown>): AuditEntry => ({
  purchaseId: 'pur-1',
  seq,
  at: '',
  type,
  status: 'APPROVED',
  detail,
});

describe('a quote mismatch as data', () => {
  it('is the latest QUOTE_MISMATCH entry', () => {
    const trail = [
      entry('1', 'QUOTE_MISMATCH', { vendorTotalUsd: 10, approvedUsd: 9 }),
      entry('2', 'QUOTE_MISMATCH', { vendorTotalUsd: 63.76, approvedUsd: 63.75 }),
      entry('3', 'VENDOR_CALL', { vendorTotalUsd: 1, approvedUsd: 2 }),
    ];
    expect(recordedMismatch(trail)).toEqual({ vendorTotalUsd: 63.76, approvedUsd: 63.75, seq: '2' });
  });

  it('is nothing when the latest one lacks an amount, never an older one in its place', () => {
    const good = entry('1', 'QUOTE_MISMATCH', { vendorTotalUsd: 10, approvedUsd: 9 });
    expect(recordedMismatch([good, entry('2', 'QUOTE_MISMATCH', { vendorTotalUsd: Number.NaN, approvedUsd: 1 })])).toBeUndefined();
    expect(recordedMismatch([good, entry('2', 'QUOTE_MISMATCH', { vendorTotalUsd: 11, approvedUsd: '10' })])).toBeUndefined();
  });

  it('is nothing in a trail without one', () => {
    expect(recordedMismatch([entry('1', 'QUOTED', { amountUsd: 5 }), entry('2', 'QUOTE_MISMATCH')])).toBeUndefined();
  });

  it('is thrown as a QuoteMismatchError whose text names both amounts for people', () => {
    const err = quoteMismatchError(0.5, 1, 'cart has 1 item');
    expect(err.name).toBe('QuoteMismatchError');
    expect(err.message).toBe('vendor total 0.50 USD differs from the approved quote 1.00 USD; cart has 1 item');
  });
});
