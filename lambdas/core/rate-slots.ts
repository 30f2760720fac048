import { ProcureError } from './errors';

/**
 * Rate slots: when a rate-limited vendor call may be sent, shared by every Lambda through the
 * RateSlots port (state table SLOTS#<key>). Two parts (issue 8, decision 2):
 *
 * - **The schedule** ({@link earliestSlot}): each caller reserves a slot, an estimate of when the
 *   vendor's sliding windows will admit its call, so a burst is spread over time instead of
 *   everyone retrying at once. A step whose slot lies in the future returns it and the state
 *   machine waits; nobody sleeps inside a Lambda. Slots are computed with each window widened by a
 *   small margin (about how long a send takes), which makes the estimate land just after the
 *   moment the claim below will allow.
 * - **The claim** ({@link earliestSafeSend}): right before sending, the caller checks, against the
 *   calls actually sent (their claim time and, once answered, their answer time: a call reaches
 *   the vendor before it answers), that a call sent now cannot be refused, and records its own
 *   send in the same conditional write. This, not the
 *   schedule, is what keeps the vendor from refusing: a caller that wakes late simply claims late,
 *   and one that wakes early is told exactly when to come back. No slot is ever wasted.
 *
 * The schedule's widening: a schedule in which no half-open interval of length W + margin + 1
 * ({@link guardSpanMs}) holds more than `max` slots spreads calls at least as far apart as the
 * vendor needs when each send takes up to `margin`; the extra millisecond is there because the
 * vendor counts a call exactly W old (`t >= cutoff`, cocalc-api-v2.md §2, `util/api/throttle.ts`).
 * A call enters the schedule at the time its claim is or was made ({@link scheduleTimeOf}), so the
 * margin stands for its answer, the time the claim check goes by: a call already answered enters
 * at its answer minus the margin, which makes the schedule's rule for it exactly the claim's.
 */

/** One sliding-window limit: at most `max` calls in any `windowMs`. */
export interface RateLimit {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * A ledger write kept losing its conditional write to concurrent writers (nothing was reserved,
 * released or consumed). Safe to retry.
 */
export class RateSlotsContendedError extends ProcureError {
  override name = 'RateSlotsContendedError';
}

/**
 * Length of the half-open interval in which at most `limit.max` slots may lie: the vendor's
 * window widened by the margin, plus 1 ms because the vendor's window is closed (see above).
 */
export function guardSpanMs(limit: RateLimit, marginMs: number): number {
  return limit.windowMs + marginMs + 1;
}

/**
 * The earliest time t ≥ `now` such that `reserved` plus t keeps at most `max` slots in every
 * half-open interval of length {@link guardSpanMs}, for every limit. `reserved` holds epoch-ms
 * slots in any order, past or future; a new slot may land before a future one when every window
 * around it (ending at t and starting at t) still holds. Only windows containing t are checked,
 * so an existing ledger that already breaks a limit (e.g. after the limits were lowered) does not
 * stop new slots from being found after it.
 */
export function earliestSlot(reserved: readonly number[], now: number, limits: readonly RateLimit[], marginMs: number): number {
  checkLimits(limits, marginMs);
  const sorted = [...reserved].sort((a, b) => a - b);
  // The feasible set is [now, ∞) minus open intervals that each end at some slot + span.
  const candidates = new Set<number>([now]);
  for (const s of sorted) {
    for (const limit of limits) {
      const c = s + guardSpanMs(limit, marginMs);
      if (c > now) candidates.add(c);
    }
  }
  for (const t of [...candidates].sort((a, b) => a - b)) {
    if (fits(sorted, t, limits, marginMs)) return t;
  }
  // Unreachable: max(reserved) + the longest span always fits (only t is in its windows).
  throw new Error('no rate slot found');
}

/**
 * The earliest t ≥ `now` at which a call may be sent without the vendor refusing it, given the
 * calls already sent: `sentBy` holds, for each, the latest instant it can have reached the vendor
 * (when its answer came back, or its send time plus the arrival bound while it is in flight).
 *
 * Why this is exact and safe. The vendor refuses a call arriving at a when it already recorded
 * `max` calls at times h ≥ a − W. Our call arrives at a ≥ t, and every earlier call i arrived at
 * h_i ≤ sentBy_i, so at most #{i : sentBy_i ≥ t − W} calls can count against it: fewer than `max`
 * and it cannot be refused. A window holding max + 1 arrivals also always contains the arrival of
 * the member that was claimed last, whose own check counted all the others (they were all sent
 * before it), so checking each call against those before it, in claim order, covers them all. The
 * condition only gets easier as t grows, so t is the largest of, per limit, one past the
 * max-th latest `sentBy` plus W.
 */
export function earliestSafeSend(sentBy: readonly number[], now: number, limits: readonly RateLimit[]): number {
  checkLimits(limits, 0);
  const latestFirst = [...sentBy].sort((a, b) => b - a);
  let t = now;
  for (const limit of limits) {
    const kth = latestFirst[limit.max - 1];
    if (kth !== undefined) t = Math.max(t, kth + limit.windowMs + 1);
  }
  return t;
}

/** A call already sent: when it was claimed and, once the vendor answered it, when. */
export interface SentCall {
  readonly sentAt: number;
  readonly settledAt?: number;
}

/** What a claim decided: sent (recorded), or when to claim again. */
export type RateClaim = { sent: true } | { sent: false; retryAt: number; provisional: boolean };

/**
 * The claim check: may a call be sent at `now`? A call not yet answered may reach the vendor any
 * time until its answer comes, so it is taken to arrive up to `inFlightMs` after its claim (the
 * caller's request timeout plus a margin: a caller that died never answers). A refusal is
 * `provisional` when it rests on calls still in flight: their answers, usually within moments,
 * may allow an earlier time than the one computed with the bound.
 */
export function decideClaim(sent: readonly SentCall[], now: number, limits: readonly RateLimit[], inFlightMs: number): RateClaim {
  const retryAt = earliestSafeSend(
    sent.map((c) => c.settledAt ?? c.sentAt + inFlightMs),
    now,
    limits,
  );
  if (retryAt <= now) return { sent: true };
  const ifAnsweredNow = earliestSafeSend(
    sent.map((c) => c.settledAt ?? Math.min(now, c.sentAt + inFlightMs)),
    now,
    limits,
  );
  return { sent: false, retryAt, provisional: ifAnsweredNow < retryAt };
}

/** A ledger entry as the schedule sees it: a pending slot `at`, or a call claimed at `sentAt` and, once answered, `settledAt`. */
export interface ScheduledCall {
  readonly at: number;
  readonly sentAt?: number;
  readonly settledAt?: number;
}

/**
 * Where a ledger entry stands in the schedule ({@link earliestSlot}): when its claim is or was
 * made, the span after it (W + margin + 1) then ending one past W after its answer, the instant the
 * claim check ({@link earliestSafeSend}) frees its place:
 *
 * - pending: its slot; its claim comes then at the earliest, its answer is estimated at slot + margin;
 * - claimed, not answered yet: its claim; the answer is estimated at claim + margin (the claim
 *   check counts it as in flight until then, and provisionally refuses meanwhile);
 * - answered: its answer minus the margin, so the span after it ends at exactly answer + W + 1,
 *   where the claim check allows the next call: adding the margin once more there would only make
 *   a caller wake up a margin after its claim would already be granted.
 *
 * Only an estimate for wake-ups: whatever it says, the claim check decides what is sent.
 */
export function scheduleTimeOf(call: ScheduledCall, marginMs: number): number {
  if (call.sentAt === undefined) return call.at;
  return call.settledAt === undefined ? call.sentAt : call.settledAt - marginMs;
}

/**
 * Oldest slot time that can still share a window with a slot at or after `now`; anything
 * older can be forgotten.
 */
export function oldestRelevantSlot(now: number, limits: readonly RateLimit[], marginMs: number): number {
  checkLimits(limits, marginMs);
  return now - Math.max(...limits.map((l) => guardSpanMs(l, marginMs))) + 1;
}

/**
 * Drops slots older than now − max(windowMs) − marginMs: no slot at or after `now` can share
 * a window with them. This bounds a ledger to the slots of the longest window (about 200 for
 * CoCalc's hour) plus those reserved in the future; it never grows per purchase.
 */
export function prune(reserved: readonly number[], now: number, limits: readonly RateLimit[], marginMs: number): number[] {
  const oldest = oldestRelevantSlot(now, limits, marginMs);
  return reserved.filter((s) => s >= oldest);
}

/** Whether adding t to the sorted slots keeps every window that contains t within its limit. */
function fits(sorted: readonly number[], t: number, limits: readonly RateLimit[], marginMs: number): boolean {
  const p = upperBound(sorted, t);
  const n = sorted.length + 1;
  const at = (k: number): number => (k < p ? sorted[k]! : k === p ? t : sorted[k - 1]!);
  for (const limit of limits) {
    const span = guardSpanMs(limit, marginMs);
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

function checkLimits(limits: readonly RateLimit[], marginMs: number): void {
  if (limits.length === 0) throw new RangeError('at least one rate limit is needed');
  for (const l of limits) {
    if (!Number.isInteger(l.max) || l.max < 1 || !(l.windowMs > 0)) {
      throw new RangeError(`invalid rate limit: ${l.max} per ${l.windowMs} ms`);
    }
  }
  if (!(marginMs >= 0)) throw new RangeError(`invalid margin: ${marginMs} ms`);
}
