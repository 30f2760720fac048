import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoPurchaseStore, PurchaseNotFoundError } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { PurchaseStatusConflictError } from '../../lambdas/core/errors';
import type { PurchaseRecord } from '../../lambdas/core/ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

function record(purchaseId: string, over: Partial<PurchaseRecord> = {}): PurchaseRecord {
  return {
    purchaseId,
    requestId: 'req-1',
    vendor: 'cocalc',
    status: 'RECEIVED',
    requestHash: 'h1',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('DynamoPurchaseStore', () => {
  let db: LocalDynamo;
  let store: DynamoPurchaseStore;
  beforeAll(async () => {
    db = await startLocalDynamo();
    store = new DynamoPurchaseStore(DynamoDBDocumentClient.from(db.client), db.stateTable);
  });
  afterAll(async () => db.close());

  it('lets exactly one of 20 concurrent callers claim a requestId, and tells the rest who did', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claimRequest('req-race', 'pur-race', 'hash-a')));

    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    for (const r of results.filter((x) => !x.claimed)) {
      expect(r).toEqual({ claimed: false, purchaseId: 'pur-race', requestHash: 'hash-a', claimedAt: expect.any(String) });
    }
  });

  it('reports the original hash when a requestId is claimed again with another body', async () => {
    await store.claimRequest('req-conf', 'pur-conf', 'hash-1');

    const again = await store.claimRequest('req-conf', 'pur-conf', 'hash-2');

    expect(again).toEqual({ claimed: false, purchaseId: 'pur-conf', requestHash: 'hash-1', claimedAt: expect.any(String) });
  });

  it('creates a record once; a second create leaves the first one unchanged', async () => {
    await store.create(record('pur-c', { status: 'RECEIVED' }));
    await store.create(record('pur-c', { status: 'FAILED' }));

    expect(await store.get('pur-c')).toEqual(record('pur-c'));
  });

  it('updates the given fields and updatedAt, skipping undefined ones', async () => {
    const s = new DynamoPurchaseStore(DynamoDBDocumentClient.from(db.client), db.stateTable, () => new Date('2030-02-02T00:00:00.000Z'));
    await s.create(record('pur-u', { reason: 'kept' }));

    await s.update('pur-u', { status: 'AWAITING_APPROVAL', amountUsd: 12.5, reason: undefined });

    expect(await s.get('pur-u')).toEqual(
      record('pur-u', { status: 'AWAITING_APPROVAL', amountUsd: 12.5, reason: 'kept', updatedAt: '2030-02-02T00:00:00.000Z' }),
    );
  });

  it('refuses a conditional update when the status is one it must not overwrite, and changes nothing', async () => {
    await store.create(record('pur-final', { status: 'EXPIRED', reason: 'nobody decided' }));
    await store.create(record('pur-open', { status: 'AWAITING_APPROVAL' }));

    await expect(store.update('pur-final', { status: 'APPROVED' }, { unlessStatusIn: ['EXPIRED', 'FAILED'] })).rejects.toBeInstanceOf(PurchaseStatusConflictError);
    await store.update('pur-open', { status: 'APPROVED' }, { unlessStatusIn: ['EXPIRED', 'FAILED'] });

    expect(await store.get('pur-final')).toEqual(record('pur-final', { status: 'EXPIRED', reason: 'nobody decided' }));
    expect((await store.get('pur-open'))?.status).toBe('APPROVED');
    await expect(store.update('pur-none', { status: 'APPROVED' }, { unlessStatusIn: ['EXPIRED'] })).rejects.toBeInstanceOf(PurchaseNotFoundError);
  });

  it('never creates a record through update', async () => {
    await expect(store.update('pur-missing', { status: 'FAILED' })).rejects.toBeInstanceOf(PurchaseNotFoundError);
    expect(await store.get('pur-missing')).toBeUndefined();
  });
});
