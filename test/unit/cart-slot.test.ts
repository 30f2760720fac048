import { describe, expect, it } from 'vitest';
import { decideSlot, LOCK_RECHECK_MS, lockRecheckDelayMs, MAX_SLOT_WAIT_MS, MAX_SLOT_WAITS, type SlotDecision } from '../../lambdas/core/cart-slot';

const NOW = 1_900_000_000_000;

describe('decideSlot', () => {
  it.each<[string, number, number, SlotDecision]>([
    ['a slot a minute ahead: wait until it', NOW + 60_000, 1_000, { kind: 'wait', until: NOW + 60_000 }],
    ['a slot 1 ms ahead: wait, never early', NOW + 1, 1_000, { kind: 'wait', until: NOW + 1 }],
    ['a slot due now: go', NOW, 1_000, { kind: 'go' }],
    ['a slot within the tolerance: go', NOW - 500, 1_000, { kind: 'go' }],
    ['a slot exactly the tolerance ago: go', NOW - 1_000, 1_000, { kind: 'go' }],
    ['a slot 1 ms past the tolerance: late', NOW - 1_001, 1_000, { kind: 'late' }],
    ['a slot an hour ago: late', NOW - 3_600_000, 1_000, { kind: 'late' }],
    ['no tolerance, due now: go', NOW, 0, { kind: 'go' }],
    ['no tolerance, 1 ms past: late', NOW - 1, 0, { kind: 'late' }],
  ])('%s', (_, slotAt, toleranceMs, expected) => {
    expect(decideSlot(slotAt, NOW, toleranceMs)).toEqual(expected);
  });
});

describe('slot wait bounds', () => {
  it('waits at most an hour for a slot (the vendor allows 200 adds an hour), and at most 100 times', () => {
    expect(MAX_SLOT_WAIT_MS).toBe(3_600_000);
    expect(MAX_SLOT_WAITS).toBe(100);
  });
});

describe('lockRecheckDelayMs', () => {
  it('spreads rechecks of a busy account over 100-300 ms, well inside a slot tolerance of 1 s', () => {
    expect(lockRecheckDelayMs(() => 0)).toBe(LOCK_RECHECK_MS.min);
    expect(lockRecheckDelayMs(() => 0.5)).toBe(200);
    expect(lockRecheckDelayMs(() => 0.999_999)).toBe(LOCK_RECHECK_MS.max);
  });
});
