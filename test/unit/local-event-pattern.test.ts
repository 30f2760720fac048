import { describe, expect, it } from 'vitest';
import { EventPatternError, matchesPattern, validatePattern } from '../../lib/local/event-pattern';

const event = {
  version: '0',
  id: 'e1',
  'detail-type': 'License Purchase Requested',
  source: 'procure.requests',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:x:1', 'arn:aws:y:2'],
  detail: { vendor: 'cocalc', amount: 42, tags: ['a', 'b'], requester: { email: 'Ann@Example.com' }, note: null },
};

const cases: Array<[string, Record<string, unknown>, boolean]> = [
  ['exact values', { source: ['procure.requests'], 'detail-type': ['License Purchase Requested'] }, true],
  ['a different exact value', { source: ['other'] }, false],
  ['one of several values', { detail: { vendor: ['interserver', 'cocalc'] } }, true],
  ['a number', { detail: { amount: [42] } }, true],
  ['null', { detail: { note: [null] } }, true],
  ['prefix', { source: [{ prefix: 'procure.' }] }, true],
  ['prefix that does not match', { source: [{ prefix: 'aws.' }] }, false],
  ['suffix', { 'detail-type': [{ suffix: 'Requested' }] }, true],
  ['equals-ignore-case', { detail: { requester: { email: [{ 'equals-ignore-case': 'ann@example.com' }] } } }, true],
  ['anything-but a value', { detail: { vendor: [{ 'anything-but': 'interserver' }] } }, true],
  ['anything-but the value itself', { detail: { vendor: [{ 'anything-but': ['cocalc'] }] } }, false],
  ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'procure.' } }] }, false],
  ['exists: true on a present leaf', { detail: { amount: [{ exists: true }] } }, true],
  ['exists: true on a missing field', { detail: { coupon: [{ exists: true }] } }, false],
  ['exists: false on a missing field', { detail: { coupon: [{ exists: false }] } }, true],
  ['exists: false on a present field', { detail: { vendor: [{ exists: false }] } }, false],
  ['numeric range', { detail: { amount: [{ numeric: ['>', 0, '<=', 42] }] } }, true],
  ['numeric range that excludes', { detail: { amount: [{ numeric: ['>=', 100] }] } }, false],
  ['numeric on a string', { detail: { vendor: [{ numeric: ['>', 0] }] } }, false],
  ['array field: any element', { resources: ['arn:aws:y:2'] }, true],
  ['array field: prefix on elements', { detail: { tags: [{ prefix: 'b' }] } }, true],
  ['wildcard', { 'detail-type': [{ wildcard: 'License * Requested' }] }, true],
  ['$or', { $or: [{ source: ['nope'] }, { detail: { vendor: ['cocalc'] } }] }, true],
  ['all fields must match', { source: ['procure.requests'], detail: { vendor: ['interserver'] } }, false],
  ['a nested pattern on a missing object', { detail: { missing: { x: ['y'] } } }, false],
];

describe('EventBridge pattern matching', () => {
  for (const [name, pattern, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'}: ${name}`, () => {
      validatePattern(pattern);
      expect(matchesPattern(pattern, event)).toBe(expected);
    });
  }

  it('rejects patterns it does not implement at start-up rather than ignoring them', () => {
    expect(() => validatePattern({ source: 'procure.requests' })).toThrow(EventPatternError);
    expect(() => validatePattern({ detail: { ip: [{ cidr: '10.0.0.0/24' }] } })).toThrow(/unsupported matcher/);
  });
});
