import { describe, expect, it } from 'vitest';
import {
  decideSlot,
  keepRechecking,
  LOCK_RECHECK_MS,
  LOCK_RECHECK_WINDOW_MS,
  lockRecheckDelayMs,
  MAX_SLOT_WAIT_MS,
  MAX_SLOT_WAITS,
  type SlotDecision,
  waitTimestamp,
} from '../../lambdas/vendors/cocalc/core/cart-slot';

const NOW = 1_900_000_000_000;

describe('decideSlot', () => {
  it.each<[string, number, SlotDecision]>([
    ['a slot a minute ahead: wait until it', NOW + 60_000, { kind: 'wait', until: NOW + 60_000 }],
    ['a slot 1 ms ahead: wait, never early', NOW + 1, { kind: 'wait', until: NOW + 1 }],
    ['a slot due now: go', NOW, { kind: 'go' }],
    ['a slot an hour ago: go (the claim decides whether it may be sent)', NOW - 3_600_000, { kind: 'go' }],
  ])('%s', (_, slotAt, expected) => {
    expect(decideSlot(slotAt, NOW)).toEqual(expected);
  });
});

describe('keepRechecking', () => {
  it.each([
    ['right at the slot', NOW, true],
    ['the whole window after it', NOW + LOCK_RECHECK_WINDOW_MS, true],
    ["1 ms past the window: leave it to the machine's Retry", NOW + LOCK_RECHECK_WINDOW_MS + 1, false],
  ])('coming back %s: %s', (_, back, expected) => {
    expect(keepRechecking(NOW, back)).toBe(expected);
  });
});

describe('slot wait bounds', () => {
  it('waits at most an hour for a slot (the vendor allows 200 adds an hour), and at most 300 times', () => {
    expect(MAX_SLOT_WAIT_MS).toBe(3_600_000);
    expect(MAX_SLOT_WAITS).toBe(300);
  });
});

describe('lockRecheckDelayMs', () => {
  it.each([
    ['at the slot: 50 ms', 0, 50],
    ['200 ms after: still 50 ms (a quarter would be no more)', 200, 50],
    ['a second after: a quarter of it', 1_000, 250],
    ['long after: at most 1 s', 60_000, 1_000],
  ])('%s, plus up to 50 ms at random', (_, sinceSlot, base) => {
    expect(lockRecheckDelayMs(sinceSlot, () => 0)).toBe(base);
    expect(lockRecheckDelayMs(sinceSlot, () => 0.999_999)).toBe(base + LOCK_RECHECK_MS.jitter);
  });

  it('rechecks a lock held for the whole window about 20 times, well under MAX_SLOT_WAITS', () => {
    let since = 0;
    let rechecks = 0;
    while (keepRechecking(0, since)) {
      since += lockRecheckDelayMs(since, () => 0.5);
      rechecks += 1;
    }
    expect(rechecks).toBeGreaterThan(10);
    expect(rechecks).toBeLessThanOrEqual(25);
  });
});

describe('waitTimestamp: what a Wait state is told, since Step Functions drops the milliseconds', () => {
  it('keeps a whole second and rounds anything else up to the next one, never earlier than asked', () => {
    const second = Date.parse('2026-12-06T19:30:05.000Z');
    expect(waitTimestamp(second)).toBe('2026-12-06T19:30:05.000Z');
    expect(waitTimestamp(second + 1)).toBe('2026-12-06T19:30:06.000Z');
    expect(waitTimestamp(second + 999)).toBe('2026-12-06T19:30:06.000Z');
    for (let at = second - 3_000; at < second + 3_000; at += 37) {
      const until = Date.parse(waitTimestamp(at));
      expect(until % 1_000).toBe(0);
      expect(until).toBeGreaterThanOrEqual(at);
      expect(until - at).toBeLessThan(1_000);
    }
  });
});
