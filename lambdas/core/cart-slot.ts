/**
 * What AddToCart does with its reserved `shopping/cart/add` slot (rate-slots.ts). A slot in the
 * future is waited for (the state machine's Wait ends at or after it); a slot that is due goes to
 * the claim however late the run woke: the claim check against the adds actually sent, not the
 * slot, is what keeps CoCalc from refusing, so lateness wastes nothing.
 */
export type SlotDecision = { kind: 'wait'; until: number } | { kind: 'go' };

export function decideSlot(slotAt: number, now: number): SlotDecision {
  return slotAt > now ? { kind: 'wait', until: slotAt } : { kind: 'go' };
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
 * When the account lock is busy at an add's slot, or the claim waits on adds still in flight, the
 * add comes back this soon (a random pause, so adds due together spread out): the lock is held
 * for one add or checkout and an add's answer comes within a fraction of a second, while the
 * state machine's Retry could not wait less than a second.
 */
export const LOCK_RECHECK_MS = { min: 100, max: 300 } as const;

export function lockRecheckDelayMs(random: () => number = Math.random): number {
  return Math.round(LOCK_RECHECK_MS.min + random() * (LOCK_RECHECK_MS.max - LOCK_RECHECK_MS.min));
}

/**
 * How long after its slot an add keeps coming back quickly for a busy account lock. A lock held
 * longer is a checkout waiting on a slow vendor: the add then gives its slot back and leaves the
 * waiting to the state machine's LockBusyError Retry (backoff up to 10 s), so a long hold costs a
 * few retries instead of a poll every 200 ms.
 */
export const LOCK_RECHECK_WINDOW_MS = 2_000;

export function keepRechecking(slotAt: number, back: number): boolean {
  return back - slotAt <= LOCK_RECHECK_WINDOW_MS;
}
