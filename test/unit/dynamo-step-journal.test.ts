import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../lambdas/adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore, PurchaseNotFoundError } from '../../lambdas/adapters/aws/dynamo-purchase-store';
import { DynamoStepJournal } from '../../lambdas/adapters/aws/dynamo-step-journal';
import { PurchaseStatusConflictError } from '../../lambdas/core/errors';
import { recordStep } from '../../lambdas/core/purchase-journal';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { countingDoc } from '../support/counting-doc';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

/*
 * A step's status and audit entry in one TransactWriteItems (lambdas/adapters/aws/dynamo-step-journal.ts),
 * through recordStep as the workflow steps call it. Real dynalite behind the runtime's front.
 */

describe('DynamoStepJournal', () => {
  let db: LocalDynamo;
  let purchases: DynamoPurchaseStore;
  let audit: DynamoAuditLog;
  let steps: DynamoStepJournal;
  beforeAll(async () => {
    db = await startLocalDynamo();
    purchases = new DynamoPurchaseStore(db.doc, db.stateTable);
    audit = new DynamoAuditLog(db.doc, db.auditTable);
    steps = new DynamoStepJournal(db.doc, db.stateTable, db.auditTable);
  });
  afterAll(async () => db.close());

  /** A journal whose client names each command it sends in `calls`. */
  const countedJournal = (calls: string[]) => new DynamoStepJournal(countingDoc(db.doc, calls), db.stateTable, db.auditTable);

  const create = (purchaseId: string) =>
    purchases.create({ purchaseId, requestId: `req-${purchaseId}`, vendor: 'cocalc', status: 'RECEIVED', requestHash: 'h', createdAt: 'x', updatedAt: 'x' });

  it('sets the status and patch and appends the entry (as the system, secrets scrubbed) in one call', async () => {
    await create('pur-step');
    const calls: string[] = [];
    const journal = countedJournal(calls);
    await recordStep(
      { audit, purchases, steps: journal },
      'pur-step',
      { type: 'QUOTED', status: 'QUOTED', message: 'quoted', detail: { apiKey: 'sk-live-123', amountUsd: 5 } },
      { amountUsd: 5 },
    );

    expect(calls).toEqual(['TransactWriteCommand']);
    expect(await purchases.get('pur-step')).toMatchObject({ status: 'QUOTED', amountUsd: 5 });
    const [entry] = await audit.list('pur-step');
    expect(entry).toMatchObject({ type: 'QUOTED', status: 'QUOTED', actor: 'system', message: 'quoted', detail: { amountUsd: 5 } });
    expect(JSON.stringify(entry)).not.toContain('sk-live-123');
  });

  it('writes neither trace for a purchase that does not exist, and says so as update does', async () => {
    await expect(recordStep({ audit, purchases, steps }, 'pur-missing', { type: 'QUOTED', status: 'QUOTED' })).rejects.toThrow(PurchaseNotFoundError);
    expect(await audit.list('pur-missing')).toEqual([]);
    expect(await purchases.get('pur-missing')).toBeUndefined();
  });

  it('keeps every entry of concurrent steps on one purchase, and the record at one of their statuses', async () => {
    await create('pur-many');
    const statuses = ['QUOTED', 'RESERVED', 'APPROVED', 'PURCHASING', 'PURCHASED'] as const;
    // Transactions on one item conflict while they run (the local DynamoDB, like DynamoDB, refuses the
    // others), so the writers retry as in production.
    const retrying = new DynamoStepJournal(db.retryingDoc, db.stateTable, db.auditTable);
    await Promise.all(statuses.map((status) => retrying.record('pur-many', { type: 'VENDOR_CALL', status, message: status }, { status })));

    const entries = await audit.list('pur-many');
    expect(entries.map((e) => e.message).sort()).toEqual([...statuses].sort());
    expect(statuses).toContain((await purchases.get('pur-many'))?.status);
  });

  describe('open', () => {
    const record = (purchaseId: string, status: 'RECEIVED' | 'QUOTED' = 'RECEIVED') => ({
      purchaseId,
      requestId: `req-${purchaseId}`,
      vendor: 'cocalc' as const,
      status,
      requestHash: 'h',
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
    const received = { type: 'REQUEST_RECEIVED' as const, status: 'RECEIVED' as const, message: 'received', actor: 'requester:a@example.com' };
    const once = { key: 'request-received', at: '2030-01-01T00:00:00.000Z' };

    it('creates the record and its first entry in one call', async () => {
      const calls: string[] = [];
      await countedJournal(calls).open(record('pur-open'), received, once);

      expect(calls).toEqual(['TransactWriteCommand']);
      expect(await purchases.get('pur-open')).toMatchObject({ status: 'RECEIVED', requestId: 'req-pur-open' });
      expect(await audit.list('pur-open')).toEqual([expect.objectContaining({ type: 'REQUEST_RECEIVED', seq: `${once.at}#once-request-received` })]);
    });

    it('writes what is missing when a retry finds the entry or the record there, and changes neither', async () => {
      await audit.append('pur-entry-first', received, once);
      await steps.open(record('pur-entry-first'), received, once);
      expect(await purchases.get('pur-entry-first')).toMatchObject({ status: 'RECEIVED' });
      expect(await audit.list('pur-entry-first')).toHaveLength(1);

      await purchases.create(record('pur-record-first', 'QUOTED'));
      await steps.open(record('pur-record-first'), received, once);
      expect(await purchases.get('pur-record-first')).toMatchObject({ status: 'QUOTED' });
      expect(await audit.list('pur-record-first')).toEqual([expect.objectContaining({ type: 'REQUEST_RECEIVED' })]);
    });

    it('throws a cancellation by conflicting writes as it came, writing neither trace on its own', async () => {
      // DynamoDB's answer when another write kept meeting the transaction past the SDK's retries,
      // played by this client (the local DynamoDB meets it only by chance): the one stand-in here.
      const conflicted = {
        send: (cmd: { constructor: { name: string } }) =>
          cmd.constructor.name === 'TransactWriteCommand'
            ? Promise.reject(
                new TransactionCanceledException({
                  message: 'Transaction cancelled [TransactionConflict, None]',
                  $metadata: {},
                  CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
                }),
              )
            : db.doc.send(cmd as never),
      } as unknown as DynamoDBDocumentClient;
      const journal = new DynamoStepJournal(conflicted, db.stateTable, db.auditTable);
      await expect(journal.open(record('pur-conflicted'), received, once)).rejects.toBeInstanceOf(TransactionCanceledException);
      expect(await purchases.get('pur-conflicted')).toBeUndefined();
      expect(await audit.list('pur-conflicted')).toEqual([]);
    });
  });

  describe('note', () => {
    const sent = { type: 'APPROVAL_SENT' as const, status: 'AWAITING_APPROVAL' as const, message: 'asked', actor: 'system' };
    const closed = { unlessStatusIn: ['COMPLETED', 'FAILED'] as const };

    it('appends the entry and sets the patch in one call', async () => {
      await create('pur-note');
      const calls: string[] = [];
      await countedJournal(calls).note('pur-note', sent, { status: 'AWAITING_APPROVAL', amountUsd: 7 }, closed);

      expect(calls).toEqual(['TransactWriteCommand']);
      expect(await purchases.get('pur-note')).toMatchObject({ status: 'AWAITING_APPROVAL', amountUsd: 7 });
      expect(await audit.list('pur-note')).toEqual([expect.objectContaining({ type: 'APPROVAL_SENT' })]);
    });

    it('still appends the entry when the update is refused, and throws the refusal as update does', async () => {
      await create('pur-note-closed');
      await purchases.update('pur-note-closed', { status: 'FAILED' });
      await expect(steps.note('pur-note-closed', sent, { status: 'AWAITING_APPROVAL' }, closed)).rejects.toBeInstanceOf(PurchaseStatusConflictError);
      expect((await purchases.get('pur-note-closed'))?.status).toBe('FAILED');
      expect(await audit.list('pur-note-closed')).toEqual([expect.objectContaining({ type: 'APPROVAL_SENT' })]);

      await expect(steps.note('pur-note-missing', sent, { status: 'AWAITING_APPROVAL' }, closed)).rejects.toBeInstanceOf(PurchaseNotFoundError);
      expect(await audit.list('pur-note-missing')).toHaveLength(1);
      expect(await purchases.get('pur-note-missing')).toBeUndefined();
    });
  });
});
