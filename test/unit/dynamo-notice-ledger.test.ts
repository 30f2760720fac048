import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoNoticeLedger } from '../../lambdas/adapters/aws/dynamo-notice-ledger';
import { DynamoPurchaseStore } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

describe('DynamoNoticeLedger', () => {
  let db: LocalDynamo;
  let ledger: DynamoNoticeLedger;
  beforeAll(async () => {
    db = await startLocalDynamo();
    ledger = new DynamoNoticeLedger(db.doc, db.stateTable);
  });
  afterAll(async () => db.close());

  it('lets exactly one of ten concurrent claims of the same notice win', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger.claim('pur-race', 'outcome#COMPLETED', '2030-03-01T10:00:00.000Z')));

    expect(results.filter(Boolean)).toHaveLength(1);
    const item = await db.doc.send(
      new GetCommand({ TableName: db.stateTable, Key: { pk: 'PURCHASE#pur-race', sk: 'NOTICE#outcome#COMPLETED' }, ConsistentRead: true }),
    );
    expect(item.Item).toEqual({ pk: 'PURCHASE#pur-race', sk: 'NOTICE#outcome#COMPLETED', claimedAt: '2030-03-01T10:00:00.000Z' });
  });

  it('keeps claims of other keys and purchases apart', async () => {
    expect(await ledger.claim('pur-a', 'decision#APPROVED', '2030-03-01T10:00:00.000Z')).toBe(true);
    expect(await ledger.claim('pur-a', 'outcome#COMPLETED', '2030-03-01T10:00:01.000Z')).toBe(true);
    expect(await ledger.claim('pur-b', 'decision#APPROVED', '2030-03-01T10:00:02.000Z')).toBe(true);
    expect(await ledger.claim('pur-a', 'decision#APPROVED', '2030-03-01T10:00:03.000Z')).toBe(false);
  });

  it('lets a released claim be claimed again, and leaves the purchase record alone', async () => {
    const purchases = new DynamoPurchaseStore(db.doc, db.stateTable);
    const at = '2030-03-01T09:00:00.000Z';
    await purchases.create({ purchaseId: 'pur-c', requestId: 'req-c', vendor: 'cocalc', status: 'FAILED', requestHash: 'h', createdAt: at, updatedAt: at });
    const before = await purchases.get('pur-c');

    expect(await ledger.claim('pur-c', 'outcome#FAILED', '2030-03-01T10:00:00.000Z')).toBe(true);
    await ledger.release('pur-c', 'outcome#FAILED');
    expect(await ledger.claim('pur-c', 'outcome#FAILED', '2030-03-01T10:00:05.000Z')).toBe(true);
    expect(await ledger.claim('pur-c', 'outcome#FAILED', '2030-03-01T10:00:06.000Z')).toBe(false);
    expect(await purchases.get('pur-c')).toEqual(before);
  });
});
