/**
 * The lease of the locks the purchase steps take (LockManager, state table LOCK#<name>). The
 * locks' names are the vendors' (CoCalc's account: vendors/cocalc/core/account-lock.ts;
 * InterServer's IP and type: vendors/interserver/core/license-lock.ts), shared by every step that
 * touches the same vendor state, so they exclude each other.
 */

/** What a Lambda knows of its own deadline (the Lambda context's getRemainingTimeInMillis). */
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

/** Margin of a lock's lease past its holder's deadline: the holder's last write may still land. */
export const LOCK_LEASE_MARGIN_MS = 5_000;

/**
 * Lease of a purchase-step lock: the holder's remaining Lambda time plus a margin. Lambda stops a
 * function at its timeout, so a holder that was killed or timed out frees the lock within its
 * function timeout plus the margin, never minutes later; a live holder always finishes inside it.
 * Without an invocation clock (tests calling a handler directly) the lease is `fallbackMs`.
 */
export function lockLeaseMs(clock: InvocationClock | undefined, fallbackMs = 60_000): number {
  const remaining = clock?.getRemainingTimeInMillis?.();
  return (typeof remaining === 'number' && remaining > 0 ? remaining : fallbackMs) + LOCK_LEASE_MARGIN_MS;
}
