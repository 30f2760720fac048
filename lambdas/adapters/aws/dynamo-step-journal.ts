import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntryInput, AuditLog, AuditOnce, PurchaseRecord, PurchaseUpdateOptions } from '../../core/ports';
import { ProcureError } from '../../core/errors';
import type { StepJournal } from '../../core/purchase-journal';
import { auditEntryOf, auditPutInput, DynamoAuditLog, SEQ_ATTEMPTS, withNewSeq } from './dynamo-audit-log';
import { whenConditionHolds } from './conditional-check';
import { DynamoPurchaseStore, purchaseCreateInput, purchaseUpdateInput } from './dynamo-purchase-store';

/**
 * {@link StepJournal} on procure's two tables: the purchase's UpdateItem (state table) and the
 * audit entry's conditional Put (audit table) in one TransactWriteItems, so a step's status and its
 * entry are written both or neither, in one call instead of two. The audit table stays
 * append-only: a transaction's Put needs the same PutItem permission as a plain one, and nothing
 * else ("Using IAM with DynamoDB transactions"). Cancellation reasons are read per action: a
 * purchase that does not exist is PurchaseNotFoundError, as `update` throws; an entry whose seq
 * is taken (practically never) is retried with a new seq. A conflict with another write to the
 * purchase at that moment, or throttling, is retried by the client with backoff
 * (shared/aws-clients/dynamodb.ts retryTransactionContention). A new purchase's
 * record and first entry go in one transaction too; when either is already there (a retry of the
 * same request) each is written on its own, unless it exists. An entry `note`d with a status
 * update is written even when the update is refused, and the refusal is thrown as `update` throws it.
 */
export class DynamoStepJournal implements StepJournal {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly stateTable: string,
    private readonly auditTable: string,
    /** Tells a refused update's reason, as `update` does, and creates a record on its own. */
    private readonly purchases = new DynamoPurchaseStore(doc, stateTable),
    /** Appends an entry on its own. */
    private readonly audit: AuditLog = new DynamoAuditLog(doc, auditTable),
  ) {}

  async record(purchaseId: string, input: AuditEntryInput, patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>): Promise<void> {
    await this.transact(purchaseId, input, patch, {}, async () => {
      throw await this.purchases.refusedUpdate(purchaseId, {});
    });
  }

  async note(purchaseId: string, input: AuditEntryInput, patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>, options: PurchaseUpdateOptions): Promise<void> {
    await this.transact(purchaseId, input, patch, options, async (append) => {
      // The entry goes in on its own (a retry of this Put may find it there), and the refusal is
      // told as update tells it, or as refused when reading why fails.
      await whenConditionHolds(this.doc.send(new PutCommand(append)));
      throw await this.purchases
        .refusedUpdate(purchaseId, options)
        .catch(
          (cause: unknown) => new PurchaseUpdateRefusedError(`the update of purchase ${purchaseId} was refused (${(cause as Error).message} reading why)`),
        );
    });
  }

  /**
   * The entry's Put and the purchase's update in one transaction; a taken seq is retried with a
   * new one, and a refused update (its condition failed) is handed to `refused` with the Put.
   */
  private async transact(
    purchaseId: string,
    input: AuditEntryInput,
    patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>,
    options: PurchaseUpdateOptions,
    refused: (append: ReturnType<typeof auditPutInput>) => Promise<never>,
  ): Promise<void> {
    const now = new Date();
    const update = purchaseUpdateInput(this.stateTable, purchaseId, patch, now, options);
    let entry = auditEntryOf(purchaseId, input, now);
    for (let attempt = 1; ; attempt += 1, entry = withNewSeq(entry, now)) {
      const append = auditPutInput(this.auditTable, entry);
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: append }, { Update: update }] }));
        return;
      } catch (err) {
        if (!(err instanceof TransactionCanceledException)) throw err;
        const [appended, updated] = (err.CancellationReasons ?? []).map((r) => r.Code);
        if (appended === 'ConditionalCheckFailed' && attempt < SEQ_ATTEMPTS) continue;
        if (updated === 'ConditionalCheckFailed') await refused(append);
        throw err;
      }
    }
  }

  async open(record: PurchaseRecord, input: AuditEntryInput, once: AuditOnce): Promise<void> {
    const entry = auditEntryOf(record.purchaseId, input, new Date(once.at), once);
    const create = purchaseCreateInput(this.stateTable, record);
    const append = auditPutInput(this.auditTable, entry);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: append }, { Put: create }] }));
    } catch (err) {
      // Cancelled by another write that outlasted the retries: nothing was written; thrown as it is.
      if (!(err instanceof TransactionCanceledException) || !err.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) throw err;
      // One of them exists: the entry first, so no record is ever without it; each is a no-op when there.
      await this.audit.append(record.purchaseId, input, once);
      await this.purchases.create(record);
    }
  }
}

/** A refused update whose reason could not be read (the entry was written). */
export class PurchaseUpdateRefusedError extends ProcureError {
  override name = 'PurchaseUpdateRefusedError';
}
