import { describe, expect, it } from 'vitest';
import {
  decideClaim,
  earliestSafeSend,
  earliestSlot,
  prune,
  type RateLimit,
  type ScheduledCall,
  scheduleTimeOf,
  type SentCall,
} from '../../lambdas/core/rate-slots';
import { COCALC_CART_ADD_LIMITS } from '../../lambdas/vendors/cocalc/core/add-limits';
import { AddThrottle } from '../../lib/local/sandboxes/cocalc/throttle';
import { seededRandom } from '../support/seeded-random';

const L = COCALC_CART_ADD_LIMITS;
const SECOND: RateLimit[] = [{ max: 3, windowMs: 1_000 }];

/** Reserves `n` slots one after another, every request made at `now`. */
function reserveBurst(n: number, now: number, limits: readonly RateLimit[], tol: number, ledger: number[] = []): number[] {
  const slots: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = earliestSlot(ledger, now, limits, tol);
    ledger.push(t);
    slots.push(t);
  }
  return slots;
}

/** Sends each add at its slot plus a lateness, in arrival order, through the sandbox's copy of the vendor throttle. */
function vendorRejections(slots: readonly number[], lateness: (i: number) => number): string[] {
  const throttle = new AddThrottle();
  const arrivals = slots.map((s, i) => s + lateness(i)).sort((a, b) => a - b);
  const rejections: string[] = [];
  for (const a of arrivals) {
    try {
      throttle.check('acct', 'shopping/cart/add', a);
    } catch (err) {
      rejections.push(`${a}: ${(err as Error).message}`);
    }
  }
  return rejections;
}

/**
 * The earliest times the vendor's own windows admit n adds sent back to back from t = 0, with no
 * lateness: greedy (each add at the first instant the vendor accepts it) is optimal for sliding
 * windows. A tiny independent re-implementation of util/api/throttle.ts (hits h ≥ now − W count).
 */
function vendorEarliest(n: number, limits: readonly RateLimit[]): number[] {
  const hits: number[] = [];
  const accepts = (t: number) => limits.every((l) => hits.filter((h) => h >= t - l.windowMs && h <= t).length < l.max);
  for (let k = 0; k < n; k++) {
    const last = hits.at(-1) ?? 0;
    const candidates = [last, ...hits.flatMap((h) => limits.map((l) => h + l.windowMs + 1))].filter((c) => c >= last).sort((a, b) => a - b);
    hits.push(candidates.find(accepts)!);
  }
  return hits;
}

describe('earliestSlot', () => {
  it.each([
    { name: 'an empty ledger gives now', reserved: [], now: 500, limits: L, tol: 1_000, want: 500 },
    { name: 'a 3rd add within the second still fits', reserved: [0, 0], now: 10, limits: L, tol: 1_000, want: 10 },
    { name: 'the 4th add within one second waits to 1 s + δ after the first', reserved: [0, 0, 0], now: 10, limits: L, tol: 1_000, want: 2_001 },
    { name: 'the same with δ = 0 (the vendor counts a hit exactly 1 s old)', reserved: [0, 0, 0], now: 10, limits: L, tol: 0, want: 1_001 },
    { name: 'the same with δ = 250 ms', reserved: [0, 100, 200], now: 300, limits: L, tol: 250, want: 1_251 },
    { name: 'old slots no longer count', reserved: [0, 0, 0], now: 5_000, limits: L, tol: 1_000, want: 5_000 },
    { name: 'a new slot fits before future slots far enough away', reserved: [10_000, 10_000, 10_000], now: 0, limits: SECOND, tol: 1_000, want: 0 },
    { name: 'but not in a window that starts at it', reserved: [1_000, 1_000, 1_000], now: 0, limits: SECOND, tol: 1_000, want: 3_001 },
    {
      name: 'a gap between past and future slots is used when every window around it holds',
      reserved: [0, 0, 0, 10_000, 10_000, 10_000],
      now: 0,
      limits: SECOND,
      tol: 1_000,
      want: 2_001,
    },
    {
      name: 'a gap too narrow for the windows starting at it is skipped',
      reserved: [0, 0, 0, 3_000, 3_000, 3_000],
      now: 0,
      limits: SECOND,
      tol: 1_000,
      want: 5_001,
    },
    { name: 'a ledger that already breaks a limit still yields a slot after it', reserved: [0, 0, 0, 0, 0], now: 0, limits: SECOND, tol: 0, want: 1_001 },
  ])('$name', ({ reserved, now, limits, tol, want }) => {
    expect(earliestSlot(reserved, now, limits, tol)).toBe(want);
  });

  it('makes the 16th add within a minute wait to the first + 60 s + δ', () => {
    for (const tol of [0, 500, 1_000]) {
      const slots = reserveBurst(16, 0, L, tol);
      expect(slots.slice(0, 15).every((s) => s < 60_000)).toBe(true);
      expect(slots[15]).toBe(slots[0]! + 60_000 + tol + 1);
    }
  });

  it('schedules 40 adds made at once so the vendor never refuses one, even when each arrives up to δ late', () => {
    for (const tol of [0, 250, 1_000]) {
      const slots = reserveBurst(40, 0, L, tol);
      expect(vendorRejections(slots, () => 0)).toEqual([]);
      expect(vendorRejections(slots, () => tol)).toEqual([]);
      // Worst patterns for a window: its first slot late by δ, the rest on time, and vice versa.
      expect(vendorRejections(slots, (i) => (i % 3 === 0 ? tol : 0))).toEqual([]);
      expect(vendorRejections(slots, (i) => (i % 3 === 0 ? 0 : tol))).toEqual([]);
      expect(vendorRejections(slots, (i) => (Math.floor(i / 3) % 2 === 0 ? tol : 0))).toEqual([]);
      expect(vendorRejections(slots, (i) => (i % 15 === 0 ? tol : 0))).toEqual([]);
      for (let seed = 1; seed <= 300; seed++) {
        const r = seededRandom(seed);
        expect(
          vendorRejections(slots, () => Math.floor(r() * (tol + 1))),
          `seed ${seed}, δ ${tol}`,
        ).toEqual([]);
      }
    }
  });

  it('would be refused without the widening when adds arrive late (the tolerance is needed)', () => {
    const slots = reserveBurst(40, 0, L, 0);
    expect(vendorRejections(slots, (i) => (Math.floor(i / 3) % 2 === 0 ? 1_000 : 0)).length).toBeGreaterThan(0);
  });

  it('gives the 40th of 40 simultaneous adds a slot within 1.05× of the earliest the vendor allows it', () => {
    const slots = reserveBurst(40, 0, L, 1_000);
    const bound = vendorEarliest(40, L);
    expect(vendorRejections(bound, () => 0)).toEqual([]); // the bound itself is one the vendor accepts
    const ratio = slots[39]! / bound[39]!;
    expect(ratio).toBeGreaterThanOrEqual(1);
    expect(ratio).toBeLessThanOrEqual(1.05);
  });

  it('checks its limits and tolerance', () => {
    expect(() => earliestSlot([], 0, [], 0)).toThrow(RangeError);
    expect(() => earliestSlot([], 0, [{ max: 0, windowMs: 1_000 }], 0)).toThrow(RangeError);
    expect(() => earliestSlot([], 0, L, -1)).toThrow(RangeError);
  });
});

describe('scheduleTimeOf', () => {
  it.each([
    { name: 'a pending slot: its time', call: { at: 500 }, margin: 100, want: 500 },
    { name: 'claimed, not answered: its claim (the margin stands for the answer)', call: { at: 400, sentAt: 520 }, margin: 100, want: 520 },
    { name: 'answered: its answer minus the margin', call: { at: 400, sentAt: 520, settledAt: 560 }, margin: 100, want: 460 },
    { name: 'answered, no margin: its answer', call: { at: 400, sentAt: 520, settledAt: 560 }, margin: 0, want: 560 },
  ])('$name', ({ call, margin, want }) => {
    expect(scheduleTimeOf(call, margin)).toBe(want);
  });

  /** The slot the schedule gives a caller at `now` after `calls`, and what the claim check says there and 1 ms before. */
  function wakeUp(calls: readonly ScheduledCall[], now: number, margin: number) {
    const slot = earliestSlot(
      calls.map((c) => scheduleTimeOf(c, margin)),
      now,
      L,
      margin,
    );
    const sent = calls
      .filter((c): c is ScheduledCall & { sentAt: number } => c.sentAt !== undefined)
      .map((c) => ({ sentAt: c.sentAt, settledAt: c.settledAt }));
    return { slot, atSlot: decideClaim(sent, slot, L, 20_000), before: decideClaim(sent, slot - 1, L, 20_000) };
  }

  const answered = (sentAt: number, settledAt: number): ScheduledCall => ({ at: sentAt, sentAt, settledAt });
  it.each([
    {
      name: 'three answered within the second: one past the first answer + 1 s',
      calls: [answered(0, 30), answered(5, 45), answered(10, 60)],
      now: 100,
      want: 1_031,
    },
    { name: 'answered more slowly than the margin', calls: [answered(0, 400), answered(0, 410), answered(0, 420)], now: 500, want: 1_401 },
    {
      name: '15 answered within a minute: the 16th one past the first answer + 60 s',
      calls: Array.from({ length: 15 }, (_, i) => answered(Math.floor(i / 3) * 1_001, Math.floor(i / 3) * 1_001 + 25)),
      now: 5_000,
      want: 60_026,
    },
  ])('wakes a caller exactly when the claim check first grants it, once the calls before it are answered: $name', ({ calls, now, want }) => {
    for (const margin of [0, 100, 250]) {
      const { slot, atSlot, before } = wakeUp(calls, now, margin);
      expect(slot, `margin ${margin}`).toBe(want);
      expect(atSlot, `margin ${margin}`).toEqual({ sent: true });
      expect(before, `margin ${margin}`).toMatchObject({ sent: false, retryAt: want });
    }
  });

  it('wakes a caller after calls in flight when they are answered a margin after their claim', () => {
    for (const margin of [0, 100, 250]) {
      const inFlight = [0, 5, 10].map((t): ScheduledCall => ({ at: t, sentAt: t }));
      const { slot } = wakeUp(inFlight, 20, margin);
      expect(slot).toBe(margin + 1_001);
      const { atSlot, before } = wakeUp(
        inFlight.map((c) => ({ ...c, settledAt: c.sentAt! + margin })),
        20,
        margin,
      );
      expect(atSlot).toEqual({ sent: true });
      expect(before).toMatchObject({ sent: false, retryAt: slot });
    }
  });

  it('wakes a caller exactly when the claim check first grants it after answered calls (300 random histories)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = seededRandom(seed);
      const margin = Math.floor(r() * 300);
      const calls = Array.from({ length: 1 + Math.floor(r() * 30) }, () => {
        const sentAt = Math.floor(r() * 70_000);
        return answered(sentAt, sentAt + Math.floor(r() * 500));
      });
      // Answers are in the past when a caller reserves.
      const now = Math.max(...calls.map((c) => c.settledAt!)) + Math.floor(r() * 10_000);
      const { slot, atSlot } = wakeUp(calls, now, margin);
      const claimable = earliestSafeSend(
        calls.map((c) => c.settledAt!),
        now,
        L,
      );
      expect(atSlot, `seed ${seed}`).toEqual({ sent: true });
      expect(slot, `seed ${seed}`).toBe(claimable);
    }
  });
});

describe('prune', () => {
  it('drops exactly the slots older than now − the longest window − δ', () => {
    const now = 10_000_000;
    const edge = now - 3_600_000 - 1_000;
    expect(prune([edge - 1, edge, edge + 1, now, now + 5_000], now, L, 1_000)).toEqual([edge, edge + 1, now, now + 5_000]);
  });

  it('never changes the slot a reservation gets', () => {
    const r = seededRandom(7);
    let now = 0;
    const full: number[] = [];
    let pruned: number[] = [];
    for (let i = 0; i < 400; i++) {
      now += Math.floor(r() * 40_000);
      pruned = prune(pruned, now, L, 1_000);
      const t = earliestSlot(pruned, now, L, 1_000);
      expect(earliestSlot(full, now, L, 1_000)).toBe(t);
      full.push(t);
      pruned.push(t);
    }
  });

  it('keeps the ledger bounded over 1,000 adds spread over hours', () => {
    const r = seededRandom(42);
    let now = 0;
    let ledger: number[] = [];
    let most = 0;
    for (let i = 0; i < 1_000; i++) {
      // Bursts (10 requests at once on average), then a pause: about 150 adds an hour, with
      // stretches above the 200/hour limit, so slots queue into the future.
      if (r() < 0.1) now += Math.floor(r() * 480_000);
      ledger = prune(ledger, now, L, 1_000);
      const t = earliestSlot(ledger, now, L, 1_000);
      ledger.push(t);
      // What is kept is the last hour's slots (at most 200, the hour limit) plus those queued ahead.
      expect(ledger.filter((s) => s <= now).length).toBeLessThanOrEqual(200);
      most = Math.max(most, ledger.length);
    }
    expect(now).toBeGreaterThan(4 * 3_600_000);
    expect(most).toBeLessThanOrEqual(300);
  });

  it('stays at about 200 slots under a saturating stream (each caller comes when the previous slot is due)', () => {
    let now = 0;
    let ledger: number[] = [];
    let most = 0;
    for (let i = 0; i < 1_000; i++) {
      ledger = prune(ledger, now, L, 1_000);
      const t = earliestSlot(ledger, now, L, 1_000);
      ledger.push(t);
      most = Math.max(most, ledger.length);
      now = t;
    }
    expect(most).toBeLessThanOrEqual(201);
  });
});

describe('earliestSafeSend', () => {
  it.each([
    { name: 'nothing sent: now', sentBy: [], now: 5, limits: L, want: 5 },
    { name: 'two in the last second: a third may go now', sentBy: [0, 10], now: 20, limits: L, want: 20 },
    {
      name: 'three in the last second: one past the first + 1 s (the vendor counts a call exactly 1 s old)',
      sentBy: [0, 10, 20],
      now: 30,
      limits: L,
      want: 1_001,
    },
    { name: 'the max-th latest decides, in any order', sentBy: [20, 0, 10, 5], now: 30, limits: L, want: 1_006 },
    { name: 'old calls no longer count', sentBy: [0, 10, 20], now: 1_021, limits: L, want: 1_021 },
    {
      name: '15 within a minute: the 16th one past the oldest + 60 s',
      sentBy: Array.from({ length: 15 }, (_, i) => i * 1_000),
      now: 20_000,
      limits: L,
      want: 60_001,
    },
    {
      name: 'the stricter of two limits wins',
      sentBy: [0, 0, 0, 50_000, 50_000],
      now: 50_001,
      limits: [
        { max: 3, windowMs: 1_000 },
        { max: 5, windowMs: 60_000 },
      ],
      want: 60_001,
    },
  ])('$name', ({ sentBy, now, limits, want }) => {
    expect(earliestSafeSend(sentBy, now, limits)).toBe(want);
  });
});

describe('decideClaim', () => {
  const BOUND = 1_000;
  it('grants a claim the windows allow', () => {
    expect(decideClaim([{ sentAt: 0, settledAt: 40 }], 50, L, BOUND)).toEqual({ sent: true });
  });

  it('refuses exactly until the vendor would accept, from answered calls: not provisional', () => {
    const sent: SentCall[] = [0, 100, 200].map((t) => ({ sentAt: t, settledAt: t + 30 }));
    expect(decideClaim(sent, 300, L, BOUND)).toEqual({ sent: false, retryAt: 1_031, provisional: false });
    expect(decideClaim(sent, 1_031, L, BOUND)).toEqual({ sent: true });
  });

  it('counts a call in flight as arriving up to the bound after its claim, and says answers may allow sooner', () => {
    const inFlight: SentCall[] = [{ sentAt: 0 }, { sentAt: 10 }, { sentAt: 20 }];
    expect(decideClaim(inFlight, 100, L, BOUND)).toEqual({ sent: false, retryAt: 2_001, provisional: true });
    // Answered at 40, 50 and 60: they arrived no later, so a claim one past 1,040 is safe.
    const answered: SentCall[] = inFlight.map((c, i) => ({ ...c, settledAt: 40 + i * 10 }));
    expect(decideClaim(answered, 1_040, L, BOUND)).toMatchObject({ sent: false, retryAt: 1_041 });
    expect(decideClaim(answered, 1_041, L, BOUND)).toEqual({ sent: true });
  });

  it('does not call a refusal provisional when calls in flight would not change it', () => {
    const sent: SentCall[] = [{ sentAt: 0, settledAt: 10 }, { sentAt: 0, settledAt: 20 }, { sentAt: 0, settledAt: 30 }, { sentAt: 900 }];
    expect(decideClaim(sent, 950, L, BOUND)).toEqual({ sent: false, retryAt: 1_021, provisional: false });
  });

  /**
   * Holders claim in a random order at random times (serialized, as the ledger's conditional writes
   * serialize them); a granted call reaches the vendor up to the bound later and is answered up to
   * 3 s after that; a refused holder comes back when told (sooner when provisional). Every arrival
   * goes through the sandbox's copy of the vendor throttle in arrival order.
   */
  function simulate(seed: number, holders: number, spreadMs: number): { rejections: string[]; lastClaim: number; claims: number[] } {
    const r = seededRandom(seed);
    type Ev = { at: number; kind: 'claim' | 'settle'; i: number };
    const queue: Ev[] = Array.from({ length: holders }, (_, i) => ({ at: Math.floor(r() * spreadMs), kind: 'claim' as const, i }));
    const sent: { sentAt: number; settledAt?: number; arrival: number }[] = [];
    const claims: number[] = [];
    while (queue.length) {
      queue.sort((a, b) => a.at - b.at);
      const ev = queue.shift()!;
      if (ev.kind === 'settle') {
        sent[ev.i]!.settledAt = ev.at;
        continue;
      }
      const d = decideClaim(sent, ev.at, L, BOUND);
      if (d.sent) {
        const arrival = ev.at + Math.floor(r() * (BOUND + 1));
        const answered = arrival + Math.floor(r() * 3_000);
        sent.push({ sentAt: ev.at, arrival });
        queue.push({ at: answered, kind: 'settle', i: sent.length - 1 });
        claims.push(ev.at);
      } else {
        expect(d.retryAt).toBeGreaterThan(ev.at);
        queue.push({ at: d.provisional ? Math.min(d.retryAt, ev.at + 100 + Math.floor(r() * 200)) : d.retryAt, kind: 'claim', i: ev.i });
      }
    }
    const throttle = new AddThrottle();
    const rejections: string[] = [];
    for (const a of sent.map((c) => c.arrival).sort((x, y) => x - y)) {
      try {
        throttle.check('acct', 'shopping/cart/add', a);
      } catch (err) {
        rejections.push(`${a}: ${(err as Error).message}`);
      }
    }
    return { rejections, lastClaim: Math.max(...claims), claims };
  }

  it('never lets the vendor refuse a call, whatever the arrival and answer times (300 random bursts of 40)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { rejections, claims } = simulate(seed, 40, seed % 2 ? 0 : 90_000);
      expect(claims, `seed ${seed}`).toHaveLength(40);
      expect(rejections, `seed ${seed}`).toEqual([]);
    }
    // 12,000 simulated claims: CPU-bound, past the default timeout on a busy 2-core machine.
  }, 120_000);

  it('would be refused by the vendor if calls in flight were not counted up to the bound', () => {
    const sent: SentCall[] = [{ sentAt: 0 }, { sentAt: 0 }, { sentAt: 0 }];
    // Counting in-flight calls only at their send time would grant a claim at 1,001 ...
    expect(earliestSafeSend([0, 0, 0], 1_001, L)).toBe(1_001);
    // ... which the vendor refuses when the three arrived late; the bound makes it wait.
    const throttle = new AddThrottle();
    for (const a of [900, 900, 900]) throttle.check('acct', 'shopping/cart/add', a);
    expect(() => throttle.check('acct', 'shopping/cart/add', 1_001)).toThrow(/too many requests/);
    expect(decideClaim(sent, 1_001, L, BOUND)).toMatchObject({ sent: false, retryAt: 2_001 });
  });
});
