import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../lambdas/core/errors';
import type { PurchaseRecord } from '../../lambdas/core/ports';
import { decodePageToken, encodePageToken, listPosition, newestFirst, parsePurchaseListQuery, toListItem } from '../../lambdas/core/purchase-list';

function record(purchaseId: string, createdAt: string, over: Partial<PurchaseRecord> = {}): PurchaseRecord {
  return { purchaseId, requestId: `req-${purchaseId}`, vendor: 'cocalc', status: 'RECEIVED', requestHash: 'h', createdAt, updatedAt: createdAt, ...over };
}

function issuesOf(query: Record<string, string>): string[] {
  try {
    parsePurchaseListQuery(query);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidRequestError);
    return (err as InvalidRequestError).issues;
  }
  throw new Error('accepted');
}

describe('the GET /purchases query', () => {
  it('defaults to the newest 25 of every status', () => {
    expect(parsePurchaseListQuery(null)).toEqual({ limit: 25 });
    expect(parsePurchaseListQuery({})).toEqual({ limit: 25 });
  });

  it.each([
    [{ status: 'AWAITING_APPROVAL' }, { status: 'AWAITING_APPROVAL', limit: 25 }],
    [{ since: '2026-07-01' }, { since: '2026-07-01T00:00:00.000Z', limit: 25 }],
    [{ since: '2026-07-01T09:30:00Z' }, { since: '2026-07-01T09:30:00.000Z', limit: 25 }],
    [{ since: '2026-07-01T11:30+02:00' }, { since: '2026-07-01T09:30:00.000Z', limit: 25 }],
    [{ limit: '1' }, { limit: 1 }],
    [{ limit: '100' }, { limit: 100 }],
  ])('accepts %j', (query, expected) => {
    expect(parsePurchaseListQuery(query)).toEqual(expected);
  });

  it.each([
    [{ status: 'awaiting' }, /^status: must be one of RECEIVED, .*INTERRUPTED, not "awaiting"$/],
    [{ since: 'yesterday' }, /^since: must be a date \(2026-07-01\) or an ISO date-time with a zone/],
    [{ since: '2026-07-01T09:30' }, /^since: /],
    [{ since: '2026-13-45' }, /^since: /],
    [{ limit: '0' }, /^limit: must be a whole number from 1 to 100, not "0"$/],
    [{ limit: '101' }, /^limit: /],
    [{ limit: '2.5' }, /^limit: /],
    [{ nextToken: 'not-a-token' }, /^nextToken: not a token this API handed out/],
    [{ stauts: 'FAILED' }, /^stauts: unknown query parameter \(allowed: status, since, limit, nextToken\)$/],
  ])('refuses %j, naming the parameter', (query, message) => {
    const issues = issuesOf(query);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(message);
  });

  it('lists every bad parameter at once', () => {
    expect(issuesOf({ status: 'x', limit: 'y', since: 'z' }).map((i) => i.split(':')[0])).toEqual(['status', 'since', 'limit']);
  });
});

describe('page tokens', () => {
  const position = listPosition(record('pur-abc', '2026-07-01T09:30:00.123Z'));

  it('carry a listing position and nothing else', () => {
    expect(position).toBe('2026-07-01T09:30:00.123Z#pur-abc');
    const token = encodePageToken(position);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token)).toBe(position);
    expect(parsePurchaseListQuery({ nextToken: token })).toEqual({ limit: 25, after: position });
  });

  it.each([
    ['base64url of other JSON', Buffer.from(JSON.stringify({ pk: 'APPROVAL#x', sk: 'APPROVAL' })).toString('base64url')],
    ['a position without an id', Buffer.from(JSON.stringify({ after: '2026-07-01T09:30:00.123Z' })).toString('base64url')],
    ['a position with a key separator in the id', Buffer.from(JSON.stringify({ after: '2026-07-01T09:30:00.123Z#pur-1#x' })).toString('base64url')],
    ['padding and plus signs', 'ab+c/=='],
    ['an empty string', ''],
  ])('refuse %s', (_what, token) => {
    expect(decodePageToken(token)).toBeUndefined();
  });
});

describe('newestFirst', () => {
  const a = record('pur-a', '2026-07-01T00:00:01.000Z');
  const b = record('pur-b', '2026-07-01T00:00:02.000Z', { status: 'FAILED' });
  const c = record('pur-c', '2026-07-01T00:00:03.000Z');
  const c2 = record('pur-d', '2026-07-01T00:00:03.000Z', { status: 'COMPLETED' });

  it('merges per-status pages newest first, the id breaking ties, and says where the next page starts', () => {
    const page = newestFirst([[c, a], [b], [c2]], 2);
    expect(page.records.map((r) => r.purchaseId)).toEqual(['pur-d', 'pur-c']);
    expect(page.next).toBe('2026-07-01T00:00:03.000Z#pur-c');
  });

  it('has no next on the last page', () => {
    expect(newestFirst([[c, a], [b]], 3)).toEqual({ records: [c, b, a] });
    expect(newestFirst([], 5)).toEqual({ records: [] });
  });
});

describe('a listed purchase', () => {
  const now = new Date('2026-07-02T01:02:03.999Z');

  it('shows who still has to decide while it awaits approval', () => {
    const r = record('pur-1', '2026-07-01T00:00:00.000Z', {
      status: 'AWAITING_APPROVAL',
      amountUsd: 18,
      requester: { name: 'Ada Lovelace', email: 'ada@example.com' },
      pendingApproval: { approvers: ['boss@example.com', 'cfo@example.com'], expiresAt: '2026-07-04T00:00:00.000Z' },
      executionArn: 'arn:aws:states:...',
    });
    expect(toListItem(r, now)).toEqual({
      purchaseId: 'pur-1',
      requestId: 'req-pur-1',
      status: 'AWAITING_APPROVAL',
      vendor: 'cocalc',
      amountUsd: 18,
      requester: { name: 'Ada Lovelace', email: 'ada@example.com' },
      createdAt: '2026-07-01T00:00:00.000Z',
      updatedAt: '2026-07-01T00:00:00.000Z',
      ageSeconds: 90_123,
      pendingApprovers: ['boss@example.com', 'cfo@example.com'],
      approvalExpiresAt: '2026-07-04T00:00:00.000Z',
      needsResolution: false,
    });
  });

  it('shows nobody once the round is decided, even though the record still names it', () => {
    const r = record('pur-2', '2026-07-01T00:00:00.000Z', { status: 'APPROVED', pendingApproval: { approvers: ['boss@example.com'], expiresAt: 'x' } });
    expect(toListItem(r, now)).toMatchObject({ pendingApprovers: [], needsResolution: false });
    expect(toListItem(r, now)).not.toHaveProperty('approvalExpiresAt');
  });

  it('needs an operator while NEEDS_ATTENTION is unresolved, and not after', () => {
    const open = record('pur-3', '2026-07-01T00:00:00.000Z', { status: 'NEEDS_ATTENTION' });
    expect(toListItem(open, now).needsResolution).toBe(true);
    const resolved = { ...open, resolution: { finding: 'bought' as const, licenseId: 'l', actor: 'ops', at: 'x' } };
    expect(toListItem(resolved, now).needsResolution).toBe(false);
  });
});
