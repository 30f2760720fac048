/**
 * What AddToCart does with its reserved `shopping/cart/add` slot (rate-slots.ts). Slots are
 * reserved with each vendor window widened by `toleranceMs`, so an add sent up to that late still
 * keeps every window within the vendor's limit; later than that, the slot is given back and a new
 * one reserved. Never early: the state machine's Wait ends at or after the slot.
 */
export type SlotDecision = { kind: 'wait'; until: number } | { kind: 'go' } | { kind: 'late' };

export function decideSlot(slotAt: number, now: number, toleranceMs: number): SlotDecision {
  if (slotAt > now) return { kind: 'wait', until: slotAt };
  return now - slotAt <= toleranceMs ? { kind: 'go' } : { kind: 'late' };
}

/**
 * Longest a purchase waits for a slot before it is refused: past this the account's add limit is
 * booked so far ahead (200 adds an hour) that an operator should hear of it rather than a queue
 * growing silently. Refused purchases release their budget; nothing was added.
 */
export const MAX_SLOT_WAIT_MS = 60 * 60_000;

/** How often one purchase may be sent back to wait before AddToCart gives up (a bound on the loop). */
export const MAX_SLOT_WAITS = 100;

/**
 * When the account lock is busy at an add's slot, the add comes back this soon (a random pause,
 * so adds due together spread out) as long as its slot is still usable then: the lock is held for
 * one add or checkout, a fraction of a second, and the state machine's Retry could not wait less
 * than a second, which is the slot's whole tolerance.
 */
export const LOCK_RECHECK_MS = { min: 100, max: 300 } as const;

export function lockRecheckDelayMs(random: () => number = Math.random): number {
  return Math.round(LOCK_RECHECK_MS.min + random() * (LOCK_RECHECK_MS.max - LOCK_RECHECK_MS.min));
}
