import { cocalcItemId } from './cart-item-id';
import { COCALC_AUDIT } from './audit-kinds';
import { lockRecheckDelayMs, MAX_SLOT_WAIT_MS, MAX_SLOT_WAITS } from './cart-slot';
import { VendorRateLimitedError, VendorTransientError } from '../../../core/errors';
import type { AuditEntry, PurchaseRecord } from '../../../core/ports';
import type { RateClaim } from '../../../core/rate-slots';

/**
 * AddToCart's (CoCalc) decisions, pure: where a purchase's add stands on entry, what an earlier
 * attempt left in the audit trail, when a refused claim comes back, what an add's error means and
 * when waiting stops. The use case (add-to-cart.ts) acts on them;
 * test/unit/cocalc-add-to-cart-rules.test.ts tables them (cart-slot.ts holds the slot and
 * lock-recheck rules).
 */

/** Audit type written just before the add, with the cart ids it started from. */
export const ADD_STARTED = COCALC_AUDIT.cartAddStarted;

/** What AddToCart does first. */
export type AddEntry =
  /** The item is recorded and parked: return it. */
  | { kind: 'recorded'; itemId: number }
  /** The item is recorded but its parking was not: park it (under the lock), then return it. */
  | { kind: 'park-recorded'; itemId: number }
  /** No item yet: take a slot and add. */
  | { kind: 'add' };

export function decideAddEntry(record: PurchaseRecord | undefined): AddEntry {
  if (record?.cartItemId === undefined) return { kind: 'add' };
  const itemId = cocalcItemId(record.cartItemId);
  return record.cartItemParked ? { kind: 'recorded', itemId } : { kind: 'park-recorded', itemId };
}

/** The cart ids the latest earlier add of this purchase started from (CART_ADD_STARTED), if any. */
export function cartIdsBeforeEarlierAdd(trail: readonly AuditEntry[]): number[] | undefined {
  const before = trail.filter((e) => e.type === ADD_STARTED).at(-1)?.detail?.cartIdsBefore;
  return Array.isArray(before) ? before.filter((id): id is number => typeof id === 'number') : undefined;
}

/**
 * When to claim again after a refused claim, `sinceSlotMs` after the add's slot: adds still in
 * flight may answer any moment and allow sooner than their bound says, so a provisional refusal
 * comes back as a busy lock does (lockRecheckDelayMs: soon at first, then a quarter of the time
 * since the slot), which keeps an add that never answers (counted up to 20 s) from sending the
 * others back every second for all that time.
 */
export function claimAgainAt(claim: Extract<RateClaim, { sent: false }>, now: number, sinceSlotMs: number, random?: () => number): number {
  return claim.provisional ? Math.min(claim.retryAt, now + lockRecheckDelayMs(sinceSlotMs, random)) : claim.retryAt;
}

/** What an add's error means. */
export type AddErrorMeaning =
  /** Refused for the vendor's limit, so not added: someone else (the account's owner?) used the window. Come back at `at`. */
  | { kind: 'rate-limited'; at: number }
  /** The add may or may not have taken effect: look for our item. */
  | { kind: 'unknown' }
  /** Refused: nothing was added. */
  | { kind: 'refused' };

export function meaningOfAddError(err: unknown, now: number): AddErrorMeaning {
  if (err instanceof VendorRateLimitedError) return { kind: 'rate-limited', at: now + Math.max(1, err.retryAfterSeconds) * 1000 };
  return err instanceof VendorTransientError ? { kind: 'unknown' } : { kind: 'refused' };
}

/**
 * Whether the add reached CoCalc by now: any answer, even a refusal, says so; a request given up on
 * (a transient error) may still arrive later, so it stays counted as in flight (rate-slots.ts decideClaim).
 */
export function addAnswered(err: unknown): boolean {
  return !(err instanceof VendorTransientError);
}

/** Whether a purchase sent back to wait until `at` should rather be refused: too far ahead, or too many waits already. */
export function givesUpWaiting(at: number, now: number, waits: number): boolean {
  return at - now > MAX_SLOT_WAIT_MS || waits >= MAX_SLOT_WAITS;
}
