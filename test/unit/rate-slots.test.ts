import { describe, expect, it } from 'vitest';
import {
  COCALC_CART_ADD_LIMITS,
  earliestSlot,
  prune,
  type RateLimit,
} from '../../lambdas/core/rate-slots';
import { AddThrottle } from '../../lib/local/sandboxes/cocalc/throttle';

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

/** Seeded PRNG (mulberry32), so a failing lateness pattern can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
    const candidates = [last, ...hits.flatMap((h) => limits.map((l) => h + l.windowMs + 1))]
      .filter((c) => c >= last)
      .sort((a, b) => a - b);
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
    { name: 'a gap between past and future slots is used when every window around it holds', reserved: [0, 0, 0, 10_000, 10_000, 10_000], now: 0, limits: SECOND, tol: 1_000, want: 2_001 },
    { name: 'a gap too narrow for the windows starting at it is skipped', reserved: [0, 0, 0, 3_000, 3_000, 3_000], now: 0, limits: SECOND, tol: 1_000, want: 5_001 },
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
        const r = rng(seed);
        expect(vendorRejections(slots, () => Math.floor(r() * (tol + 1))), `seed ${seed}, δ ${tol}`).toEqual([]);
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

describe('prune', () => {
  it('drops exactly the slots older than now − the longest window − δ', () => {
    const now = 10_000_000;
    const edge = now - 3_600_000 - 1_000;
    expect(prune([edge - 1, edge, edge + 1, now, now + 5_000], now, L, 1_000)).toEqual([edge, edge + 1, now, now + 5_000]);
  });

  it('never changes the slot a reservation gets', () => {
    const r = rng(7);
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
    const r = rng(42);
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
