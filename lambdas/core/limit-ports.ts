import type { Vendor } from './purchase-request';
import type { RateClaim } from './rate-slots';
import type { Reservation } from './workflow';

// What limits purchases and vendor calls across concurrent Lambdas (part of core/ports.ts): the
// spend guard, lease locks and the rate-slot ledger. Adapters in lambdas/adapters/aws.

/**
 * A reservation as reserve() returns it: with the vendor's budget for its month right after it,
 * when this very call claimed the amount (its counter write answers the new total, so nothing is
 * read again). A reserve that found the reservation already made says nothing of the budget.
 */
export type NewReservation = Reservation & { budgetAfter?: { capUsd: number; remainingUsd: number } };

/** Spend guard: per-vendor monthly caps and a per-day purchase count, reserved atomically. */
export interface SpendGuard {
  /** Idempotent per purchaseId. Throws BudgetExceededError / DailyLimitExceededError and reserves nothing then. */
  reserve(input: { purchaseId: string; vendor: Vendor; amountUsd: number; at: Date }): Promise<NewReservation>;
  /** Changes an existing reservation's amount (after a re-quote); throws BudgetExceededError. */
  adjust(purchaseId: string, newAmountUsd: number): Promise<Reservation>;
  /** RESERVED -> COMMITTED. Idempotent. */
  commit(purchaseId: string): Promise<void>;
  /** RESERVED -> RELEASED, giving the amount and the daily slot back. Idempotent; a no-op when nothing was reserved. */
  release(purchaseId: string): Promise<void>;
  remaining(vendor: Vendor, at: Date): Promise<{ capUsd: number; reservedUsd: number; remainingUsd: number }>;
}

/** `shared` leases coexist with each other; an `exclusive` one coexists with no other lease. */
export type LockMode = 'exclusive' | 'shared';

/** Named lease locks with expiry (state table LOCK#<name>). */
export interface LockManager {
  /** Runs fn while holding the lock (exclusive unless `mode` says shared); throws LockBusyError when a lease that excludes it is live. */
  withLock<T>(name: string, holder: string, ttlMs: number, fn: () => Promise<T>, mode?: LockMode): Promise<T>;
  /**
   * Takes or renews the exclusive lease for `holder` and keeps it past the current `withLock`
   * (whose release then finds a newer lease and leaves it): it ends at its expiry, or when the
   * holder's next `withLock` of the same name releases it. For a holder that must come back to
   * finish (the state machine waits in between) without anyone else entering meanwhile.
   */
  hold(name: string, holder: string, ttlMs: number): Promise<void>;
}

/**
 * Rate-slot ledger (state table SLOTS#<key>, core/rate-slots.ts): when a rate-limited vendor call
 * may be sent, shared by concurrent Lambdas. Nothing here waits for a slot.
 */
export type { RateClaim };

export interface RateSlots {
  /** The holder's pending slot if it has one (a retry gets the same one), else the estimated earliest slot ≥ now, reserved. */
  reserve(key: string, holder: string, now: number): Promise<{ at: number }>;
  /** Gives the holder's pending slot back (its call will not be sent). No-op when it holds none. */
  release(key: string, holder: string): Promise<void>;
  /**
   * Right before sending: when no call sent so far can make the vendor refuse one sent at `now`,
   * records the holder's call as sent at `now` (it counts from then on, whatever happens next) and
   * answers `{ sent: true }`; otherwise records nothing and answers when to claim again.
   * `provisional` says that time rests on calls still in flight, whose answers may allow sooner.
   */
  claim(key: string, holder: string, now: number): Promise<RateClaim>;
  /**
   * The vendor answered the holder's last sent call by `now`, so it reached the vendor no later.
   * Not for a call the client gave up on: the vendor may still act on it later.
   */
  settle(key: string, holder: string, now: number): Promise<void>;
}
