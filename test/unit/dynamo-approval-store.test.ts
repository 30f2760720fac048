import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoApprovalStore } from '../../lambdas/adapters/aws/dynamo-approval-store';
import { createApprovalId } from '../../lambdas/core/approval-link';
import { ApprovalAlreadyDecidedError, ApprovalExpiredError, ApprovalNotFoundError } from '../../lambdas/core/errors';
import type { ApprovalRecord } from '../../lambdas/core/ports';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const LATER = '2030-01-02T00:00:00.000Z';

function pending(over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    approvalId: createApprovalId(),
    purchaseId: 'pur-1',
    approver: 'boss@example.com',
    taskToken: 'token-round-1',
    expiresAt: LATER,
    status: 'PENDING',
    createdAt: NOW.toISOString(),
    ...over,
  };
}
const approve = { status: 'APPROVED' as const, decidedAt: NOW.toISOString() };

describe('DynamoApprovalStore', () => {
  let db: LocalDynamo;
  let store: DynamoApprovalStore;
  beforeAll(async () => {
    db = await startLocalDynamo();
    store = new DynamoApprovalStore(DynamoDBDocumentClient.from(db.client), db.stateTable);
  });
  afterAll(async () => db.close());

  it('stores a record and reads it back, token included', async () => {
    const record = pending({ purchaseId: 'pur-get' });
    await store.create(record);

    expect(await store.get(record.approvalId)).toEqual(record);
  });

  it('decides a pending record once; a replay is refused and changes nothing', async () => {
    const record = pending({ purchaseId: 'pur-once' });
    await store.create(record);

    const decided = await store.decide(record.approvalId, { ...approve, comment: 'ok' }, NOW);
    const replay = store.decide(record.approvalId, { status: 'REJECTED', decidedAt: LATER }, NOW);

    expect(decided).toMatchObject({ status: 'APPROVED', decidedAt: NOW.toISOString(), comment: 'ok' });
    // A round of one: decided by this link (what decide() read comes with the record, never stored).
    const { quorum, ...stored } = decided;
    expect(quorum).toMatchObject({ required: 1, decidedBy: record.approvalId });
    await expect(replay).rejects.toBeInstanceOf(ApprovalAlreadyDecidedError);
    expect(await store.get(record.approvalId)).toEqual(stored);
  });

  it('refuses an expired record', async () => {
    const record = pending({ purchaseId: 'pur-exp', expiresAt: NOW.toISOString() });
    await store.create(record);

    await expect(store.decide(record.approvalId, approve, NOW)).rejects.toBeInstanceOf(ApprovalExpiredError);
    expect((await store.get(record.approvalId))?.status).toBe('PENDING');
  });

  it('refuses an unknown id', async () => {
    await expect(store.decide(createApprovalId(), approve, NOW)).rejects.toBeInstanceOf(ApprovalNotFoundError);
  });

  it('lets exactly one of two approvers decide a purchase when both click at once', async () => {
    const a = pending({ purchaseId: 'pur-two', approver: 'a@example.com' });
    const b = pending({ purchaseId: 'pur-two', approver: 'b@example.com' });
    await store.create(a);
    await store.create(b);

    const results = await Promise.allSettled([
      store.decide(a.approvalId, approve, NOW),
      store.decide(b.approvalId, { status: 'REJECTED', decidedAt: NOW.toISOString() }, NOW),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(ApprovalAlreadyDecidedError);
    // The loser's record is untouched, whichever of the two won.
    const statuses = [(await store.get(a.approvalId))?.status, (await store.get(b.approvalId))?.status];
    expect(statuses.filter((st) => st === 'PENDING')).toHaveLength(1);
  });

  it('lets exactly one of ten concurrent double-clicks on one link decide', async () => {
    const record = pending({ purchaseId: 'pur-clicks' });
    await store.create(record);

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.decide(record.approvalId, approve, NOW)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('keeps a later approver from deciding after the first one did', async () => {
    const a = pending({ purchaseId: 'pur-late', approver: 'a@example.com' });
    const b = pending({ purchaseId: 'pur-late', approver: 'b@example.com' });
    await store.create(a);
    await store.create(b);
    await store.decide(a.approvalId, approve, NOW);

    await expect(store.decide(b.approvalId, approve, NOW)).rejects.toBeInstanceOf(ApprovalAlreadyDecidedError);
  });

  it('lets a new approval round (a new task token after a price change) be decided again', async () => {
    const round1 = pending({ purchaseId: 'pur-rounds', taskToken: 'token-A' });
    const round2 = pending({ purchaseId: 'pur-rounds', taskToken: 'token-B' });
    await store.create(round1);
    await store.decide(round1.approvalId, approve, NOW);
    await store.create(round2);

    await expect(store.decide(round2.approvalId, approve, NOW)).resolves.toMatchObject({ status: 'APPROVED' });
  });

  it('never overwrites an existing approval id', async () => {
    const record = pending({ purchaseId: 'pur-dup' });
    await store.create(record);

    await expect(store.create({ ...record, approver: 'mallory@example.com' })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('refuses an expiry that is not a canonical ISO time, since expiry is compared as text', async () => {
    await expect(store.create(pending({ expiresAt: '2030-01-02T00:00:00Z' }))).rejects.toThrow(RangeError);
  });
});
