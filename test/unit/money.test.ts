import { describe, expect, it } from 'vitest';
import { formatUsd, fromCents, sameCents, toCents } from '../../lambdas/core/money';

describe('money in cents', () => {
  it('converts without float drift', () => {
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents(63.75)).toBe(6375);
    expect(fromCents(6375)).toBe(63.75);
  });

  it('compares to the cent and formats for people', () => {
    expect(sameCents(0.1 + 0.2, 0.3)).toBe(true);
    expect(sameCents(63.75, 63.76)).toBe(false);
    expect(formatUsd(3)).toBe('$3.00');
  });

  it('refuses amounts that are not finite', () => {
    expect(() => toCents(Number.NaN)).toThrow(RangeError);
  });
});
