/**
 * One CoCalc account, one cart: checkout buys every checked item, so no add may be in flight while
 * a checkout runs (an added item is checked until its purchase parks it). Checkouts take this lock
 * exclusively; adds (add, then park) take it shared ({@link CART_ADD_LOCK_MODE}).
 */
export const COCALC_ACCOUNT_LOCK = 'cocalc-account';

/**
 * Adds need not exclude each other: each one's item is tagged with its purchase (./cart-tag.ts)
 * and found and parked by that tag alone, and the vendor's add limit is kept by the rate-slot
 * claims, not by this lock. Sharing it lets the adds the limit allows at once go at once instead of
 * one after another, each waiting out the other's lease.
 */
export const CART_ADD_LOCK_MODE = 'shared' as const;
