import { describe, expect, it } from 'vitest';
import { parseQuoteMismatch, quoteMismatchError } from '../../lambdas/core/quote-mismatch';

describe('quote mismatch messages', () => {
  it('round-trip both amounts through the error message', () => {
    const err = quoteMismatchError(63.76, 63.75, 'cart has 1 item');
    expect(err.name).toBe('QuoteMismatchError');
    expect(parseQuoteMismatch(err.message)).toEqual({ vendorTotalUsd: 63.76, approvedUsd: 63.75 });
  });

  it('survive being wrapped in a Step Functions cause text', () => {
    const err = quoteMismatchError(0.5, 1);
    expect(parseQuoteMismatch(`QuoteMismatchError: ${err.message}`)).toEqual({ vendorTotalUsd: 0.5, approvedUsd: 1 });
  });

  it('return nothing for a message that is not a mismatch', () => {
    expect(parseQuoteMismatch('something else went wrong')).toBeUndefined();
  });
});
