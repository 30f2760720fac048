import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../lambdas/core/errors';
import { firstUnavailable, parseVendor } from '../../lambdas/core/list-licenses';
import type { Vendor } from '../../lambdas/core/purchase-request';
import type { NormalizedLicense } from '../../lambdas/core/workflow';

/** Listing licenses: which vendors a query asks for, and which failure the answer names. */

const license = (vendor: Vendor, id: string): NormalizedLicense => ({ vendor, id, title: id, status: 'active', target: '', createdAt: null, expiresAt: null });
const ok = (...l: NormalizedLicense[]): PromiseSettledResult<NormalizedLicense[]> => ({ status: 'fulfilled', value: l });
const down = (reason: string): PromiseSettledResult<NormalizedLicense[]> => ({ status: 'rejected', reason: new Error(reason) });

describe('the vendors a query asks for', () => {
  it.each([
    { value: undefined, expected: ['cocalc', 'interserver'] },
    { value: '', expected: ['cocalc', 'interserver'] },
    { value: 'cocalc', expected: ['cocalc'] },
    { value: 'interserver', expected: ['interserver'] },
  ])('?vendor=$value -> $expected', ({ value, expected }) => {
    expect(parseVendor(value)).toEqual(expected);
  });

  it.each(['CoCalc', 'aws', ' cocalc'])('?vendor=%s is refused, naming the allowed values', (value) => {
    expect(() => parseVendor(value)).toThrow(InvalidRequestError);
    expect(() => parseVendor(value)).toThrow('vendor: must be one of "cocalc", "interserver" (or absent for all)');
  });
});

describe('the answer to a listing of several vendors', () => {
  const both: Vendor[] = ['cocalc', 'interserver'];
  it.each([
    { listed: [ok(license('cocalc', 'a')), ok(license('interserver', '1'))], expected: { licenses: ['a', '1'] } },
    { listed: [ok(), ok()], expected: { licenses: [] } },
    { listed: [down('x'), ok(license('interserver', '1'))], expected: { unavailable: 'cocalc' } },
    { listed: [ok(license('cocalc', 'a')), down('y')], expected: { unavailable: 'interserver' } },
    { listed: [down('x'), down('y')], expected: { unavailable: 'cocalc' } },
  ])('%#: every listing, or the first vendor that failed', ({ listed, expected }) => {
    const got = firstUnavailable(both, listed);
    expect('licenses' in got ? { licenses: got.licenses.map((l) => l.id) } : { unavailable: got.unavailable }).toEqual(expected);
  });
});
