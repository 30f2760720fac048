import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoPurchaseStore, PurchaseNotFoundError, purchaseKey } from '../../lambdas/adapters/aws/dynamo-purchase-store';
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

    await expect(store.update('pur-final', { status: 'APPROVED' }, { unlessStatusIn: ['EXPIRED', 'FAILED'] })).rejects.toBeInstanceOf(
      PurchaseStatusConflictError,
    );
    await store.update('pur-open', { status: 'APPROVED' }, { unlessStatusIn: ['EXPIRED', 'FAILED'] });

    expect(await store.get('pur-final')).toEqual(record('pur-final', { status: 'EXPIRED', reason: 'nobody decided' }));
    expect((await store.get('pur-open'))?.status).toBe('APPROVED');
    await expect(store.update('pur-none', { status: 'APPROVED' }, { unlessStatusIn: ['EXPIRED'] })).rejects.toBeInstanceOf(PurchaseNotFoundError);
  });

  it('never creates a record through update', async () => {
    await expect(store.update('pur-missing', { status: 'FAILED' })).rejects.toBeInstanceOf(PurchaseNotFoundError);
    expect(await store.get('pur-missing')).toBeUndefined();
  });

  it('writes the listing position with the record, once, and never returns it', async () => {
    const doc = DynamoDBDocumentClient.from(db.client);
    await store.create(record('pur-seq', { createdAt: '2030-03-03T00:00:00.000Z' }));
    await store.update('pur-seq', { status: 'FAILED', createdSeq: 'forged' } as never);

    const raw = await doc.send(new GetCommand({ TableName: db.stateTable, Key: purchaseKey('pur-seq') }));
    expect(raw.Item?.createdSeq).toBe('2030-03-03T00:00:00.000Z#pur-seq');
    expect(await store.get('pur-seq')).not.toHaveProperty('createdSeq');
  });
});

describe('DynamoPurchaseStore.list (the purchasesByStatus index)', () => {
  let db: LocalDynamo;
  let store: DynamoPurchaseStore;
  // 12 purchases a second apart, oldest first, in four statuses.
  const STATUSES = ['COMPLETED', 'AWAITING_APPROVAL', 'FAILED', 'RECEIVED'] as const;
  const all = Array.from({ length: 12 }, (_, i) =>
    record(`pur-${String(i).padStart(2, '0')}`, { createdAt: `2030-01-01T00:00:${String(i).padStart(2, '0')}.000Z`, status: STATUSES[i % 4]! }),
  );
  const newest = [...all].reverse().map((r) => r.purchaseId);

  beforeAll(async () => {
    db = await startLocalDynamo();
    const doc = DynamoDBDocumentClient.from(db.client);
    store = new DynamoPurchaseStore(doc, db.stateTable);
    for (const r of all) await store.create(r);
    // Items that carry a status but are not purchases: an approval (its task token must never be
    // listed) and a reservation. They have no createdSeq, so the index never holds them.
    await doc.send(
      new PutCommand({
        TableName: db.stateTable,
        Item: { pk: 'APPROVAL#a1', sk: 'APPROVAL', status: 'APPROVED', taskToken: 'secret-token', createdAt: '2030-01-01T00:00:05.000Z' },
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: db.stateTable,
        Item: { pk: 'RESERVATION#pur-00', sk: 'RESERVATION', status: 'RESERVED', createdAt: '2030-01-01T00:00:05.000Z' },
      }),
    );
  });
  afterAll(async () => db.close());

  async function everyPage(query: { status?: 'FAILED'; since?: string }, limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await store.list({ ...query, limit, ...(after ? { after } : {}) });
      pages.push(page.records.map((r) => r.purchaseId));
      after = page.next;
    } while (after && pages.length < 20);
    return pages;
  }

  it('lists only purchases, newest first, across every status', async () => {
    const page = await store.list({ limit: 50 });
    expect(page.records.map((r) => r.purchaseId)).toEqual(newest);
    expect(page.next).toBeUndefined();
    expect(page.records[0]).toEqual(all[11]);
  });

  it('pages through every status without gaps or repeats, the last page without a next', async () => {
    expect(await everyPage({}, 5)).toEqual([newest.slice(0, 5), newest.slice(5, 10), newest.slice(10)]);
    // A page that ends exactly at the last purchase says so.
    expect(await everyPage({}, 6)).toEqual([newest.slice(0, 6), newest.slice(6)]);
  });

  it('lists one status from its own partition', async () => {
    expect(await everyPage({ status: 'FAILED' }, 2)).toEqual([['pur-10', 'pur-06'], ['pur-02']]);
  });

  it('lists only purchases created at or after since, also across pages', async () => {
    expect(await everyPage({ since: '2030-01-01T00:00:07.000Z' }, 2)).toEqual([['pur-11', 'pur-10'], ['pur-09', 'pur-08'], ['pur-07']]);
    expect(await everyPage({ status: 'FAILED', since: '2030-01-01T00:00:03.000Z' }, 1)).toEqual([['pur-10'], ['pur-06']]);
  });

  it('follows a purchase into its new status', async () => {
    await store.update('pur-01', { status: 'REJECTED' });
    expect((await store.list({ status: 'REJECTED', limit: 5 })).records.map((r) => r.purchaseId)).toEqual(['pur-01']);
    expect((await store.list({ status: 'AWAITING_APPROVAL', limit: 5 })).records.map((r) => r.purchaseId)).toEqual(['pur-09', 'pur-05']);
  });
});
