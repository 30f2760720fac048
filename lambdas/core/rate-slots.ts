import { ProcureError } from './errors';

/**
 * Rate slots: times at which a rate-limited vendor call may be sent, chosen so that a whole
 * schedule of them stays inside the vendor's sliding-window limits. Slots are reserved ahead
 * (RateSlots port, state table SLOTS#<key>); a step whose slot lies in the future returns it and
 * the state machine waits, so nobody sleeps inside a Lambda (issue 8, decision 2).
 *
 * Why the windows are widened by a tolerance δ. The vendor (cocalc-api-v2.md §2,
 * `util/api/throttle.ts`) refuses a call arriving at time a when it already recorded `max` calls
 * at times h ≥ a − W, i.e. when max + 1 arrivals lie in one closed interval of length W. A call
 * reserved for slot t_i is sent no earlier than t_i and reaches the vendor at some a_i ∈
 * [t_i, t_i + δ]. If max + 1 arrivals lie in [L, L + W], their slots lie in [L − δ, L + W], a
 * closed interval of length W + δ. So a schedule in which no closed interval of length W + δ
 * holds more than `max` slots is never refused, however the arrivals fall within their δ: a slot
 * outside a widened window stays outside the vendor's real window. In whole milliseconds a closed
 * interval of length W + δ is a half-open one of length W + δ + 1, the {@link guardSpanMs}; the
 * extra millisecond is there because the vendor counts a call exactly W old (`t >= cutoff`).
 *
 * The caller must therefore send only at or after its slot, and re-reserve instead of sending
 * when it is already more than δ late (the bound above no longer holds for that call).
 */

/** One sliding-window limit: at most `max` calls in any `windowMs`. */
export interface RateLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** CoCalc `shopping/cart/add`: 3/second, 15/minute, 200/hour per account (cocalc-api-v2.md §2). */
export const COCALC_CART_ADD_LIMITS: readonly RateLimit[] = [
  { max: 3, windowMs: 1_000 },
  { max: 15, windowMs: 60_000 },
  { max: 200, windowMs: 3_600_000 },
];

/** The rate-slot ledger key of CoCalc `shopping/cart/add` (state table SLOTS#cocalc-cart-add). */
export const COCALC_CART_ADD_SLOT_KEY = 'cocalc-cart-add';

/**
 * A ledger write kept losing its conditional write to concurrent writers (nothing was reserved,
 * released or consumed). Safe to retry.
 */
export class RateSlotsContendedError extends ProcureError {}

/**
 * Length of the half-open interval in which at most `limit.max` slots may lie: the vendor's
 * window widened by the tolerance, plus 1 ms because the vendor's window is closed (see above).
 */
export function guardSpanMs(limit: RateLimit, toleranceMs: number): number {
  return limit.windowMs + toleranceMs + 1;
}

/**
 * The earliest time t ≥ `now` such that `reserved` plus t keeps at most `max` slots in every
 * half-open interval of length {@link guardSpanMs}, for every limit. `reserved` holds epoch-ms
 * slots in any order, past or future; a new slot may land before a future one when every window
 * around it (ending at t and starting at t) still holds. Only windows containing t are checked,
 * so an existing ledger that already breaks a limit (e.g. after the limits were lowered) does not
 * stop new slots from being found after it.
 */
export function earliestSlot(
  reserved: readonly number[],
  now: number,
  limits: readonly RateLimit[],
  toleranceMs: number,
): number {
  checkLimits(limits, toleranceMs);
  const sorted = [...reserved].sort((a, b) => a - b);
  // The feasible set is [now, ∞) minus open intervals that each end at some slot + span.
  const candidates = new Set<number>([now]);
  for (const s of sorted) {
    for (const limit of limits) {
      const c = s + guardSpanMs(limit, toleranceMs);
      if (c > now) candidates.add(c);
    }
  }
  for (const t of [...candidates].sort((a, b) => a - b)) {
    if (fits(sorted, t, limits, toleranceMs)) return t;
  }
  // Unreachable: max(reserved) + the longest span always fits (only t is in its windows).
  throw new Error('no rate slot found');
}

/**
 * Oldest slot time that can still share a window with a slot at or after `now`; anything
 * older can be forgotten.
 */
export function oldestRelevantSlot(now: number, limits: readonly RateLimit[], toleranceMs: number): number {
  checkLimits(limits, toleranceMs);
  return now - Math.max(...limits.map((l) => guardSpanMs(l, toleranceMs))) + 1;
}

/**
 * Drops slots older than now − max(windowMs) − toleranceMs: no slot at or after `now` can share
 * a window with them. This bounds a ledger to the slots of the longest window (about 200 for
 * CoCalc's hour) plus those reserved in the future; it never grows per purchase.
 */
export function prune(
  reserved: readonly number[],
  now: number,
  limits: readonly RateLimit[],
  toleranceMs: number,
): number[] {
  const oldest = oldestRelevantSlot(now, limits, toleranceMs);
  return reserved.filter((s) => s >= oldest);
}

/** Whether adding t to the sorted slots keeps every window that contains t within its limit. */
function fits(sorted: readonly number[], t: number, limits: readonly RateLimit[], toleranceMs: number): boolean {
  const p = upperBound(sorted, t);
  const n = sorted.length + 1;
  const at = (k: number): number => (k < p ? sorted[k]! : k === p ? t : sorted[k - 1]!);
  for (const limit of limits) {
    const span = guardSpanMs(limit, toleranceMs);
    // Runs of max + 1 consecutive slots that include t: starts p − max .. p.
    for (let i = Math.max(0, p - limit.max); i <= p && i + limit.max < n; i++) {
      if (at(i + limit.max) - at(i) < span) return false;
    }
  }
  return true;
}

/** Index of the first element greater than t. */
function upperBound(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkLimits(limits: readonly RateLimit[], toleranceMs: number): void {
  if (limits.length === 0) throw new RangeError('at least one rate limit is needed');
  for (const l of limits) {
    if (!Number.isInteger(l.max) || l.max < 1 || !(l.windowMs > 0)) {
      throw new RangeError(`invalid rate limit: ${l.max} per ${l.windowMs} ms`);
    }
  }
  if (!(toleranceMs >= 0)) throw new RangeError(`invalid tolerance: ${toleranceMs} ms`);
}
