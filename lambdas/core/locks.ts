/**
 * Names and lease of the locks the purchase steps take (LockManager, state table LOCK#<name>).
 * Shared by every step that touches the same vendor state, so they exclude each other.
 */

/**
 * One CoCalc account, one cart: checkout buys every checked item, so adding, parking and checking
 * out must never interleave between two purchases.
 */
export const COCALC_ACCOUNT_LOCK = 'cocalc-account';

/** One InterServer IP and license type: the vendor allows one live license per pair (§5). */
export function interserverLicenseLock(ip: string, typeId: number): string {
  return `interserver-license#${ip}#${typeId}`;
}

/**
 * Lease of a purchase-step lock. Must be longer than the longest Lambda timeout of a step that
 * holds one (CDK construct), or a second holder could enter while the first still works.
 */
export const PURCHASE_LOCK_TTL_MS = 5 * 60_000;
