import { describe, expect, it } from 'vitest';
import type { AuditKind } from '../../lambdas/core/audit-kinds';
import type { AuditEntry, PurchaseRecord } from '../../lambdas/core/ports';
import { isPurchaseId, statusView } from '../../lambdas/core/purchase-status';
import type { PurchaseStatus } from '../../lambdas/core/workflow';

/** GET /purchases/{id}: which ids are looked up, and the view of what procure knows. */

const record: PurchaseRecord = {
  purchaseId: 'pur-1',
  requestId: 'r-1',
  vendor: 'cocalc',
  status: 'QUOTED',
  requestHash: 'h',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const entry = (type: AuditKind, status: PurchaseStatus): AuditEntry => ({ purchaseId: 'pur-1', seq: type, at: '2026-01-01T00:00:00.000Z', type, status });

describe('purchase ids', () => {
  it.each([
    ['pur-0123abcd', true],
    ['invalid-3f1c-44aa', true],
    [undefined, false],
    ['', false],
    ['pur_1', false],
    ['../etc', false],
    ['x'.repeat(81), false],
  ])('%s could name a purchase: %s', (id, expected) => {
    expect(isPurchaseId(id)).toBe(expected);
  });
});

describe('the view of one purchase', () => {
  it.each([
    { why: 'nothing known', rec: undefined, trail: [], expected: undefined },
    {
      why: 'a record: its status',
      rec: record,
      trail: [entry('REQUEST_RECEIVED', 'RECEIVED'), entry('QUOTED', 'QUOTED')],
      expected: { purchaseId: 'pur-1', status: 'QUOTED', requestId: 'r-1', audit: 2 },
    },
    {
      why: 'a rejected request has only a trail: its last status',
      rec: undefined,
      trail: [entry('REQUEST_REJECTED', 'INVALID')],
      expected: { purchaseId: 'pur-1', status: 'INVALID', audit: 1 },
    },
  ])('$why', ({ rec, trail, expected }) => {
    const view = statusView('pur-1', rec, trail);
    if (!expected) return expect(view).toBeUndefined();
    expect({ ...view, audit: view?.audit.length }).toMatchObject(expected);
    expect(view?.audit.every((e) => !('purchaseId' in e))).toBe(true);
  });
});
