import { describe, expect, it } from 'vitest';
import {
  checkoutParamsProblem,
  decideCheckoutEntry,
  MAX_CHECKOUT_ATTEMPTS,
  meaningOfCheckoutError,
  nextCheckoutAttempt,
  planUnchecking,
} from '../../lambdas/vendors/cocalc/core/checkout-rules';
import { VendorRejectedError, VendorTransientError } from '../../lambdas/core/errors';
import { InsufficientCreditError } from '../../lambdas/vendors/cocalc/core/errors';
import type { CheckoutProgress } from '../../lambdas/vendors/cocalc/core/purchase-fields';
import type { CocalcCartItem, CocalcCheckoutParams } from '../../lambdas/vendors/cocalc/core/ports';

/** Checkout's (CoCalc) rules as tables: what the vendor and the purchase record show -> what Checkout does. */

const OURS = 10;
const TAGGED = `procure purchase pur-${'a'.repeat(32)}`;

const item = (id: number, checked: boolean, description = 'someone else'): CocalcCartItem => ({
  id,
  added: '2026-01-01T00:00:00.000Z',
  checked,
  removed: null,
  purchased: null,
  product: 'site-license',
  description: { description },
  projectId: null,
});
const progress = (outcome: CheckoutProgress['outcome'], extra: Partial<CheckoutProgress> = {}): CheckoutProgress => ({
  attempt: 1,
  outcome,
  othersUnchecked: [],
  ...extra,
});
const params = (cart: Array<[number, number]>, total: number): CocalcCheckoutParams => ({
  balance: 0,
  minBalance: 0,
  minPayment: 0,
  amountDue: total,
  chargeAmount: total,
  total,
  cart: cart.map(([id, lineItemAmount]) => ({ id, lineItemAmount })),
});

describe('where a checkout stands on entry (reconciliation)', () => {
  it.each([
    { purchased: false, progress: undefined, expected: 'check-out' },
    { purchased: true, progress: undefined, expected: 'bought' },
    { purchased: true, progress: progress('not-bought'), expected: 'bought' },
    { purchased: true, progress: progress('started'), expected: 'reconciled-bought' },
    { purchased: true, progress: progress('unknown'), expected: 'reconciled-bought' },
    { purchased: false, progress: progress('started'), expected: 'prove-not-bought' },
    { purchased: false, progress: progress('unknown'), expected: 'prove-not-bought' },
    { purchased: false, progress: progress('not-bought'), expected: 'check-out' },
  ])('item purchased: $purchased, last attempt $progress.outcome -> $expected', ({ purchased, progress: p, expected }) => {
    expect(decideCheckoutEntry(purchased, p)).toBe(expected);
  });
});

describe('the next attempt', () => {
  it.each([
    { progress: undefined, expected: 1 },
    { progress: progress('not-bought', { attempt: 1 }), expected: 2 },
    { progress: progress('not-bought', { attempt: MAX_CHECKOUT_ATTEMPTS - 1 }), expected: MAX_CHECKOUT_ATTEMPTS },
    { progress: progress('not-bought', { attempt: MAX_CHECKOUT_ATTEMPTS }), expected: undefined },
  ])('after attempt $progress.attempt -> $expected', ({ progress: p, expected }) => {
    expect(nextCheckoutAttempt(p)).toBe(expected);
  });
});

describe('which other items an attempt unchecks and may re-check', () => {
  it.each([
    { why: 'only ours: nothing else', cart: [item(OURS, true)], p: undefined, expected: { othersChecked: [], othersUnchecked: [], hadUnknown: false } },
    {
      why: "the owner's checked items are re-checked later",
      cart: [item(OURS, false), item(1, true), item(2, false)],
      p: undefined,
      expected: { othersChecked: [1], othersUnchecked: [1], hadUnknown: false },
    },
    {
      why: 'a tagged item of another purchase is never re-checked',
      cart: [item(OURS, true), item(3, true, TAGGED)],
      p: undefined,
      expected: { othersChecked: [], othersUnchecked: [], hadUnknown: false },
    },
    {
      why: "an earlier attempt's unchecked items are remembered",
      cart: [item(OURS, true), item(1, true)],
      p: progress('not-bought', { othersUnchecked: [4] }),
      expected: { othersChecked: [1], othersUnchecked: [4, 1], hadUnknown: false },
    },
    {
      why: 'after an unknown outcome nothing is re-checked, ever',
      cart: [item(OURS, true), item(1, true)],
      p: progress('not-bought', { othersUnchecked: [4], hadUnknown: true }),
      expected: { othersChecked: [1], othersUnchecked: [], hadUnknown: true },
    },
  ])('$why', ({ cart, p, expected }) => {
    expect(planUnchecking(cart, OURS, p)).toEqual(expected);
  });
});

describe("the vendor's checkout parameters", () => {
  it.each([
    { why: 'exactly ours at the approved amount', p: params([[OURS, 12.5]], 12.5), expected: undefined },
    { why: 'a cent of rounding is not a difference', p: params([[OURS, 12.5]], 12.504), expected: undefined },
    {
      why: 'another item checked',
      p: params(
        [
          [OURS, 12.5],
          [2, 3],
        ],
        15.5,
      ),
      expected: { kind: 'not-exactly-ours' },
    },
    { why: 'ours not checked', p: params([[2, 12.5]], 12.5), expected: { kind: 'not-exactly-ours' } },
    { why: 'nothing checked', p: params([], 0), expected: { kind: 'not-exactly-ours' } },
    { why: 'the total moved', p: params([[OURS, 14]], 14), expected: { kind: 'total-differs', vendorTotalUsd: 14 } },
  ])('$why', ({ p, expected }) => {
    const found = checkoutParamsProblem(p, OURS, 12.5);
    if (expected === undefined) expect(found).toBeUndefined();
    else expect(found).toMatchObject(expected);
  });

  it('says which items the checkout would cover and which total differs', () => {
    expect(
      checkoutParamsProblem(
        params(
          [
            [OURS, 1],
            [2, 3],
          ],
          4,
        ),
        OURS,
        1,
      )?.problem,
    ).toBe('the checkout would cover items [10, 2], not exactly item 10');
    expect(checkoutParamsProblem(params([[OURS, 14]], 14), OURS, 12.5)?.problem).toBe("the vendor's total is $14.00, the approved quote $12.50");
  });
});

describe('what a checkout error means', () => {
  it.each([
    { err: new VendorTransientError('socket hang up'), expected: 'unknown' },
    { err: new InsufficientCreditError('not enough credit', 5), expected: 'refused' },
    { err: new VendorRejectedError('refused'), expected: 'refused' },
    { err: new Error('a bug'), expected: 'refused' },
  ])('$err.name -> $expected', ({ err, expected }) => {
    expect(meaningOfCheckoutError(err)).toBe(expected);
  });
});
