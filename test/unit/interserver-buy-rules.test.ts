import type { InterserverPaymentPolicy } from '../../lambdas/vendors/interserver/core/payment-policy';
import { describe, expect, it } from 'vitest';
import type { AuditKind } from '../../lambdas/core/audit-kinds';
import { VendorRejectedError, VendorTransientError } from '../../lambdas/core/errors';
import { InsufficientPrepayError, LicenseAlreadyExistsError } from '../../lambdas/vendors/interserver/core/errors';
import {
  decideBuyEntry,
  decideUnfoundEarlierBuy,
  earlierBuysIn,
  invoicesOfLicense,
  withinApproved,
  meaningOfBuyError,
  newLicenseAmong,
  usePrepayFor,
} from '../../lambdas/vendors/interserver/core/buy-rules';
import type { AuditEntry, PurchaseRecord } from '../../lambdas/core/ports';
import type { InterserverInvoice, InterserverLicense } from '../../lambdas/vendors/interserver/core/ports';
import type { PurchaseStatus } from '../../lambdas/core/workflow';

/** BuyLicense's (InterServer) rules as tables: the facts it gathered -> what it does. */

const record = (status: PurchaseStatus, extra: Partial<PurchaseRecord> = {}): PurchaseRecord => ({
  purchaseId: 'p-1',
  requestId: 'r-1',
  vendor: 'interserver',
  status,
  requestHash: 'h',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

let seq = 0;
const entry = (type: AuditKind, detail?: Record<string, unknown>): AuditEntry => ({
  purchaseId: 'p-1',
  seq: String((seq += 1)),
  at: '2026-01-01T00:00:00.000Z',
  type,
  status: 'PURCHASING',
  ...(detail ? { detail } : {}),
});
const started = (liveBefore: unknown) => entry('VENDOR_CALL', { operation: 'buy', phase: 'started', liveBefore });

const license = (id: number): InterserverLicense => ({
  id,
  type: 5,
  ip: '203.0.113.9',
  status: 'active',
  orderDate: '',
  hostname: '',
  key: '',
  repeatInvoice: 0,
  coupon: 0,
  currency: 'USD',
});
const invoice = (id: number, serviceId: number, paid = false, amount = 10): InterserverInvoice => ({
  id,
  description: '',
  amount,
  paid,
  module: 'licenses',
  serviceId,
  date: '',
  dueDate: '',
  type: 5,
  currency: 'USD',
});

describe('the earlier buys of a purchase, read from its audit trail', () => {
  it.each([
    { trail: [], expected: { snapshot: undefined, buys: 0 } },
    { trail: [started([1, 2])], expected: { snapshot: [1, 2], buys: 1 } },
    { trail: [started([1]), entry('VENDOR_CALL', { operation: 'buy', outcome: 'unknown' }), started([1, 7])], expected: { snapshot: [1], buys: 2 } },
    { trail: [started('not a list')], expected: { snapshot: undefined, buys: 1 } },
    { trail: [started([3, 'x', 4])], expected: { snapshot: [3, 4], buys: 1 } },
    { trail: [entry('PURCHASED', { operation: 'buy', phase: 'started', liveBefore: [9] })], expected: { snapshot: undefined, buys: 0 } },
  ])('%#: the first started buy gives the snapshot; every one counts', ({ trail, expected }) => {
    expect(earlierBuysIn(trail)).toEqual(expected);
  });
});

describe('what BuyLicense does on entry', () => {
  const none = { snapshot: undefined, buys: 0 };
  const one = { snapshot: [1], buys: 1 };
  const two = { snapshot: [1], buys: 2 };
  it.each([
    { why: 'no record: buy', rec: undefined, earlier: none, expected: { kind: 'buy' } },
    {
      why: 'a recorded license is returned, never bought again',
      rec: record('PURCHASED', { licenseId: '42' }),
      earlier: two,
      expected: { kind: 'recorded', licenseId: 42 },
    },
    {
      why: 'a buy started and was not settled: settle it first',
      rec: record('PURCHASING'),
      earlier: one,
      expected: { kind: 'settle-earlier', snapshot: [1], lastBuy: false },
    },
    {
      why: 'the second buy started: settling it is the last look',
      rec: record('PURCHASING'),
      earlier: two,
      expected: { kind: 'settle-earlier', snapshot: [1], lastBuy: true },
    },
    {
      why: 'an invoice was answered: settle even when APPROVED',
      rec: record('APPROVED', { invoice: 77 }),
      earlier: one,
      expected: { kind: 'settle-earlier', snapshot: [1], lastBuy: false },
    },
    { why: 'proven not bought (back to APPROVED): buy again', rec: record('APPROVED'), earlier: one, expected: { kind: 'buy' } },
    { why: 'PURCHASING without a snapshot: died before calling the vendor', rec: record('PURCHASING'), earlier: none, expected: { kind: 'buy' } },
  ])('$why', ({ rec, earlier, expected }) => {
    expect(decideBuyEntry(rec, earlier)).toEqual(expected);
  });
});

describe('an earlier buy that left no listed license', () => {
  it.each([
    {
      why: 'an invoice names it: not listed yet (retried)',
      rec: record('PURCHASING', { invoice: 77 }),
      buys: 2,
      expected: { kind: 'invoice-unlisted', invoice: 77 },
    },
    { why: 'every buy unknown and none listed: it may still land', rec: record('PURCHASING'), buys: 2, expected: { kind: 'may-still-land', buys: 2 } },
    { why: 'proven not bought with a buy left: buy again', rec: record('APPROVED'), buys: 1, expected: { kind: 'buy-again' } },
  ])('$why', ({ rec, buys, expected }) => {
    expect(decideUnfoundEarlierBuy(rec, { snapshot: [1], buys })).toEqual(expected);
  });
});

describe('what a buy error means', () => {
  it.each([
    { err: new LicenseAlreadyExistsError('already licensed'), earlier: true, expected: 'reconcile' },
    { err: new LicenseAlreadyExistsError('already licensed'), earlier: false, expected: 'refused' },
    { err: new VendorTransientError('timeout'), earlier: false, expected: 'unknown' },
    { err: new VendorTransientError('timeout'), earlier: true, expected: 'unknown' },
    { err: new InsufficientPrepayError('no prepay'), earlier: true, expected: 'refused' },
    { err: new VendorRejectedError('bad ip'), earlier: false, expected: 'refused' },
    { err: new Error('a bug'), earlier: false, expected: 'refused' },
  ])('$err.name with an earlier buy: $earlier -> $expected', ({ err, earlier, expected }) => {
    expect(meaningOfBuyError(err, earlier)).toBe(expected);
  });
});

describe('payment', () => {
  it.each<[InterserverPaymentPolicy, boolean | undefined]>([
    ['leave-unpaid', false],
    ['prepay-only', true],
    ['pay-now', undefined],
  ])('%s buys with use_prepay %s', (policy, expected) => {
    expect(usePrepayFor(policy)).toBe(expected);
  });

  it.each<{ policy: InterserverPaymentPolicy; unpaid: InterserverInvoice[]; open: number[]; toPay: number[]; paid: boolean }>([
    { policy: 'pay-now', unpaid: [invoice(1, 42), invoice(2, 43)], open: [1], toPay: [1], paid: true },
    { policy: 'leave-unpaid', unpaid: [invoice(1, 42)], open: [1], toPay: [], paid: false },
    { policy: 'prepay-only', unpaid: [invoice(1, 42)], open: [1], toPay: [], paid: false },
    { policy: 'leave-unpaid', unpaid: [invoice(1, 42, true), invoice(2, 7)], open: [], toPay: [], paid: true },
    { policy: 'pay-now', unpaid: [], open: [], toPay: [], paid: true },
  ])('$policy with open invoices of license 42 $open pays $toPay (paid: $paid)', ({ policy, unpaid, open, toPay, paid }) => {
    const got = invoicesOfLicense(policy, 42, unpaid);
    expect({ open: got.open.map((i) => i.id), toPay: got.toPay.map((i) => i.id), paid: got.paid }).toEqual({ open, toPay, paid });
  });

  it.each([
    [10, 10, true],
    [10.004, 10, true],
    [10.01, 10, false],
    [9.99, 10, true],
  ])('an amount of %s against an approved %s is within the quote: %s', (amount, approved, expected) => {
    expect(withinApproved(amount, approved)).toBe(expected);
  });
});

describe('the license a buy produced', () => {
  it.each([
    { live: [1, 2, 3], before: [1, 2], expected: 3 },
    { live: [1, 5, 9], before: [1], expected: 9 },
    { live: [1, 2], before: [1, 2], expected: undefined },
    { live: [4], before: undefined, expected: 4 },
    { live: [], before: [], expected: undefined },
  ])('live $live, before $before -> $expected', ({ live, before, expected }) => {
    expect(newLicenseAmong(live.map(license), before)?.id).toBe(expected);
  });
});
