/**
 * Names and lease of the locks the purchase steps take (LockManager, state table LOCK#<name>).
 * Shared by every step that touches the same vendor state, so they exclude each other.
 */

/**
 * One CoCalc account, one cart: checkout buys every checked item, so no add may be in flight while
 * a checkout runs (an added item is checked until its purchase parks it). Checkouts take this lock
 * exclusively; adds (add, then park) take it shared ({@link CART_ADD_LOCK_MODE}).
 */
export const COCALC_ACCOUNT_LOCK = 'cocalc-account';

/**
 * Adds need not exclude each other: each one's item is tagged with its purchase (vendors/cocalc/core/cart-tag.ts)
 * and found and parked by that tag alone, and the vendor's add limit is kept by the rate-slot
 * claims, not by this lock. Sharing it lets the adds the limit allows at once go at once instead of
 * one after another, each waiting out the other's lease.
 */
export const CART_ADD_LOCK_MODE = 'shared' as const;

/** One InterServer IP and license type: the vendor allows one live license per pair (§5). */
export function interserverLicenseLock(ip: string, typeId: number): string {
  return `interserver-license#${ip}#${typeId}`;
}

/**
 * How long BuyLicense keeps the IP+type lock past its invocation after a buy of unknown outcome:
 * longer than the state machine's wait before BuyLicense runs again (BUY_SETTLE in
 * lib/constructs/purchase-retries.ts), the waits of that run's throttled Invokes (THROTTLED_BUY)
 * and its start; test/infra/state-machine.test.ts checks it. A purchase whose execution died in
 * between frees the lock by then.
 */
export const BUY_RECHECK_HOLD_MS = 30_000;

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
