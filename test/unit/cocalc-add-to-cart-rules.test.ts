import { describe, expect, it } from 'vitest';
import type { AuditKind } from '../../lambdas/core/audit-kinds';
import { LOCK_RECHECK_MS, MAX_SLOT_WAIT_MS, MAX_SLOT_WAITS } from '../../lambdas/vendors/cocalc/core/cart-slot';
import {
  addAnswered,
  ADD_STARTED,
  cartIdsBeforeEarlierAdd,
  claimAgainAt,
  decideAddEntry,
  givesUpWaiting,
  meaningOfAddError,
} from '../../lambdas/vendors/cocalc/core/add-to-cart-rules';
import { VendorRateLimitedError, VendorRejectedError, VendorTransientError } from '../../lambdas/core/errors';
import type { AuditEntry, PurchaseRecord } from '../../lambdas/core/ports';

/** AddToCart's (CoCalc) rules as tables: what the record, the trail and the vendor show -> what AddToCart does. */

const NOW = 1_000_000;

const record = (extra: Partial<PurchaseRecord> = {}): PurchaseRecord => ({
  purchaseId: 'pur-1',
  requestId: 'r-1',
  vendor: 'cocalc',
  status: 'RESERVED',
  requestHash: 'h',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});
const entry = (type: AuditKind, detail?: Record<string, unknown>): AuditEntry => ({
  purchaseId: 'pur-1',
  seq: type,
  at: '2026-01-01T00:00:00.000Z',
  type,
  status: 'RESERVED',
  ...(detail ? { detail } : {}),
});

describe('where an add stands on entry', () => {
  it.each([
    { rec: undefined, expected: { kind: 'add' } },
    { rec: record(), expected: { kind: 'add' } },
    { rec: record({ cartItemId: 7, cartItemParked: true }), expected: { kind: 'recorded', itemId: 7 } },
    { rec: record({ cartItemId: 7 }), expected: { kind: 'park-recorded', itemId: 7 } },
    { rec: record({ cartItemId: 0, cartItemParked: false }), expected: { kind: 'park-recorded', itemId: 0 } },
  ])('%#: $expected.kind', ({ rec, expected }) => {
    expect(decideAddEntry(rec)).toEqual(expected);
  });
});

describe("an earlier add's cart snapshot", () => {
  it.each([
    { trail: [], expected: undefined },
    { trail: [entry(ADD_STARTED, { cartIdsBefore: [1, 2] })], expected: [1, 2] },
    { trail: [entry(ADD_STARTED, { cartIdsBefore: [1] }), entry(ADD_STARTED, { cartIdsBefore: [1, 5] })], expected: [1, 5] },
    { trail: [entry(ADD_STARTED, { cartIdsBefore: 'x' })], expected: undefined },
    { trail: [entry(ADD_STARTED, { cartIdsBefore: [3, null, 4] })], expected: [3, 4] },
    { trail: [entry('CART_ITEM_ADDED', { cartIdsBefore: [9] })], expected: undefined },
  ])('%#: the latest CART_ADD_STARTED gives $expected', ({ trail, expected }) => {
    expect(cartIdsBeforeEarlierAdd(trail)).toEqual(expected);
  });
});

describe('a refused claim comes back', () => {
  const noJitter = () => 0;
  it.each([
    {
      why: 'at the bound when it rests on adds answered',
      claim: { sent: false as const, retryAt: NOW + 5_000, provisional: false },
      sinceSlot: 0,
      expected: NOW + 5_000,
    },
    {
      why: 'soon when it rests on adds in flight',
      claim: { sent: false as const, retryAt: NOW + 5_000, provisional: true },
      sinceSlot: 0,
      expected: NOW + LOCK_RECHECK_MS.min,
    },
    {
      why: 'later the longer they stay in flight: a quarter of the time since its slot',
      claim: { sent: false as const, retryAt: NOW + 15_000, provisional: true },
      sinceSlot: 2_000,
      expected: NOW + 500,
    },
    {
      why: 'at the bound when that is sooner still',
      claim: { sent: false as const, retryAt: NOW + 30, provisional: true },
      sinceSlot: 0,
      expected: NOW + 30,
    },
  ])('$why', ({ claim, sinceSlot, expected }) => {
    expect(claimAgainAt(claim, NOW, sinceSlot, noJitter)).toBe(expected);
  });

  it('comes back about 20 times, not hundreds, while an add that never answers stays counted (20 s)', () => {
    const bound = NOW + 20_000;
    let now = NOW;
    let waits = 0;
    while (now < bound) {
      now = claimAgainAt({ sent: false, retryAt: bound, provisional: true }, now, now - NOW, () => 0.5);
      waits += 1;
    }
    expect(waits).toBeLessThanOrEqual(30);
  });
});

describe('what an add error means', () => {
  it.each([
    { err: new VendorRateLimitedError('too many', 3), expected: { kind: 'rate-limited', at: NOW + 3_000 }, answered: true },
    { err: new VendorRateLimitedError('too many', 0), expected: { kind: 'rate-limited', at: NOW + 1_000 }, answered: true },
    { err: new VendorTransientError('socket hang up'), expected: { kind: 'unknown' }, answered: false },
    { err: new VendorRejectedError('bad description'), expected: { kind: 'refused' }, answered: true },
    { err: new Error('a bug'), expected: { kind: 'refused' }, answered: true },
  ])('$err.name -> $expected.kind (answered: $answered)', ({ err, expected, answered }) => {
    expect(meaningOfAddError(err, NOW)).toEqual(expected);
    expect(addAnswered(err)).toBe(answered);
  });
});

describe('when waiting stops', () => {
  it.each([
    { at: NOW + 1_000, waits: 0, expected: false },
    { at: NOW + MAX_SLOT_WAIT_MS, waits: 0, expected: false },
    { at: NOW + MAX_SLOT_WAIT_MS + 1, waits: 0, expected: true },
    { at: NOW + 1_000, waits: MAX_SLOT_WAITS - 1, expected: false },
    { at: NOW + 1_000, waits: MAX_SLOT_WAITS, expected: true },
  ])('a wait until now+$at with $waits waits behind it gives up: $expected', ({ at, waits, expected }) => {
    expect(givesUpWaiting(at, NOW, waits)).toBe(expected);
  });
});
