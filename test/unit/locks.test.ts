import { describe, expect, it } from 'vitest';
import { LOCK_LEASE_MARGIN_MS, lockLeaseMs } from '../../lambdas/core/locks';

describe('lockLeaseMs: a lock outlives its holder by a margin only', () => {
  it("is the holder's remaining Lambda time plus the margin, so a killed or timed-out holder frees it within its timeout + margin", () => {
    expect(lockLeaseMs({ getRemainingTimeInMillis: () => 59_000 })).toBe(59_000 + LOCK_LEASE_MARGIN_MS);
    expect(lockLeaseMs({ getRemainingTimeInMillis: () => 1_200 })).toBe(1_200 + LOCK_LEASE_MARGIN_MS);
    expect(LOCK_LEASE_MARGIN_MS).toBeLessThanOrEqual(10_000);
  });

  it('falls back to a bounded lease without an invocation clock (a handler called directly) or with a nonsense one', () => {
    expect(lockLeaseMs(undefined)).toBe(60_000 + LOCK_LEASE_MARGIN_MS);
    expect(lockLeaseMs({ getRemainingTimeInMillis: () => 0 }, 30_000)).toBe(30_000 + LOCK_LEASE_MARGIN_MS);
    expect(lockLeaseMs({ getRemainingTimeInMillis: () => Number.NaN }, 30_000)).toBe(30_000 + LOCK_LEASE_MARGIN_MS);
  });
});
