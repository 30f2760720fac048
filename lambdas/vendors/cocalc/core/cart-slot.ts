/**
 * What AddToCart does with its reserved `shopping/cart/add` slot (procure's core/rate-slots.ts). A slot in the
 * future is waited for (the state machine's Wait ends at or after it); a slot that is due goes to
 * the claim however late the run woke: the claim check against the adds actually sent, not the
 * slot, is what keeps CoCalc from refusing, so lateness wastes nothing.
 */
export type SlotDecision = { kind: 'wait'; until: number } | { kind: 'go' };

export function decideSlot(slotAt: number, now: number): SlotDecision {
  return slotAt > now ? { kind: 'wait', until: slotAt } : { kind: 'go' };
}

/**
 * The timestamp a Wait state is given to wake at or after `at` (epoch ms): the next whole second.
 * Step Functions waits in whole seconds: "if you specify the wait time as a timestamp, Step
 * Functions considers the time value up to seconds and truncates milliseconds" (Wait state, AWS
 * docs). A timestamp with milliseconds would wake up to a second early on AWS, and the run would
 * find its slot not yet due and come straight back, again and again within that second; the local
 * engine honours milliseconds, so only whole seconds make the two wait alike.
 */
export function waitTimestamp(at: number): string {
  return new Date(wakeAt(at)).toISOString();
}

/** When a Wait given {@link waitTimestamp}(at) really ends (epoch ms): the next whole second at or after `at`. */
export function wakeAt(at: number): number {
  return Math.ceil(at / 1_000) * 1_000;
}

/**
 * Longest a purchase waits for a slot before it is refused: past this the account's add limit is
 * booked so far ahead (200 adds an hour) that an operator should hear of it rather than a queue
 * growing silently. Refused purchases release their budget; nothing was added.
 */
export const MAX_SLOT_WAIT_MS = 60 * 60_000;

/**
 * How often one purchase may be sent back to wait before AddToCart gives up (a bound on the loop;
 * the real bound is MAX_SLOT_WAIT_MS). A slot wait, a claim refused and each recheck of a busy
 * account lock count once; a lock held for the whole recheck window costs about 10 (one a second).
 */
export const MAX_SLOT_WAITS = 300;

/**
 * When the account lock is busy at an add's slot, or the claim waits on adds still in flight, the
 * add comes back soon, without giving up its place: a quarter of the time since its slot, at
 * least 50 ms and at most 1 s, plus up to 50 ms at random so adds due together spread out; the
 * Wait then ends at the next whole second at or after that (waitTimestamp). The lock is held for
 * one add or checkout, a fraction of a second (the burst bench's checkouts hold it 40-80 ms); a
 * lock held longer soon meets the quarter rule.
 */
export const LOCK_RECHECK_MS = { min: 50, max: 1_000, jitter: 50 } as const;

export function lockRecheckDelayMs(sinceSlotMs: number, random: () => number = Math.random): number {
  const base = Math.min(LOCK_RECHECK_MS.max, Math.max(LOCK_RECHECK_MS.min, sinceSlotMs / 4));
  return Math.round(base + random() * LOCK_RECHECK_MS.jitter);
}

/**
 * How long after its slot an add keeps its place while the account lock stays busy. A lock held
 * longer is a checkout waiting on a slow vendor: the add then gives its slot back and leaves the
 * waiting to the state machine's LockBusyError Retry (backoff up to 10 s).
 */
export const LOCK_RECHECK_WINDOW_MS = 10_000;

export function keepRechecking(slotAt: number, back: number): boolean {
  return back - slotAt <= LOCK_RECHECK_WINDOW_MS;
}
