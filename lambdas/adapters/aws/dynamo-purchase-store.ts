import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PurchaseRecord, PurchaseStore } from '../../core/ports';
import { ProcureError, PurchaseStatusConflictError } from '../../core/errors';
import type { PurchaseStatus } from '../../core/workflow';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';

/**
 * {@link PurchaseStore} on the state table:
 *   REQ#<requestId> / REQ        { purchaseId, requestHash, createdAt }  (claimed once, never changed)
 *   PURCHASE#<id>   / META       the {@link PurchaseRecord}
 */

/** `update` on a purchase that was never created. */
export class PurchaseNotFoundError extends ProcureError {}

const PK = STATE_TABLE.partitionKey;
const SK = STATE_TABLE.sortKey;

/** Keys of a purchase's META item. */
export function purchaseKey(purchaseId: string): Record<string, string> {
  return { [PK]: `PURCHASE#${purchaseId}`, [SK]: 'META' };
}
function requestKey(requestId: string): Record<string, string> {
  return { [PK]: `REQ#${requestId}`, [SK]: 'REQ' };
}


function toRecord(item: Record<string, unknown>): PurchaseRecord {
  const { [PK]: _pk, [SK]: _sk, ...rest } = item;
  return rest as unknown as PurchaseRecord;
}

export class DynamoPurchaseStore implements PurchaseStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Conditional put: of N concurrent callers exactly one gets `claimed: true`. */
  async claimRequest(
    requestId: string,
    purchaseId: string,
    requestHash: string,
  ): Promise<{ claimed: true; claimedAt: string } | { claimed: false; purchaseId: string; requestHash: string; claimedAt?: string }> {
    const createdAt = this.clock().toISOString();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...requestKey(requestId), purchaseId, requestHash, createdAt },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return { claimed: true, claimedAt: createdAt };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    // dynalite (and RVOCCF-less callers) return no old item: read it, consistently.
    const got = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: requestKey(requestId), ConsistentRead: true }),
    );
    const item = got.Item as { purchaseId?: string; requestHash?: string; createdAt?: string } | undefined;
    if (!item?.purchaseId || item.requestHash === undefined) {
      throw new Error(`request claim for ${requestId} exists but could not be read`);
    }
    return {
      claimed: false,
      purchaseId: item.purchaseId,
      requestHash: item.requestHash,
      ...(typeof item.createdAt === 'string' ? { claimedAt: item.createdAt } : {}),
    };
  }

  /**
   * Creates the META record. Idempotent: when it already exists the first write wins and this is a
   * no-op, so a retry after a crash between claim and create (or a racing retry) is safe.
   */
  async create(record: PurchaseRecord): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...purchaseKey(record.purchaseId), ...record },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  /** The current record, strongly consistent; undefined when unknown. */
  async get(purchaseId: string): Promise<PurchaseRecord | undefined> {
    const got = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: purchaseKey(purchaseId), ConsistentRead: true }),
    );
    return got.Item ? toRecord(got.Item) : undefined;
  }

  /**
   * Sets the given fields (undefined ones are skipped) and `updatedAt` (now, unless given).
   * Never creates a record: throws {@link PurchaseNotFoundError} for an unknown id. With
   * `unlessStatusIn`, the write is conditional on the current status not being one of those, with
   * `ifStatusIn` on its being one of those ({@link PurchaseStatusConflictError} otherwise, and
   * nothing is written).
   */
  async update(
    purchaseId: string,
    patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>,
    options: { unlessStatusIn?: readonly PurchaseStatus[]; ifStatusIn?: readonly PurchaseStatus[] } = {},
  ): Promise<void> {
    const fields: Record<string, unknown> = { updatedAt: this.clock().toISOString() };
    for (const [k, v] of Object.entries(patch)) {
      if (v !== undefined && k !== 'purchaseId' && k !== PK && k !== SK) fields[k] = v;
    }
    const names: Record<string, string> = { '#pk': PK };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    Object.entries(fields).forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      sets.push(`#f${i} = :v${i}`);
    });
    let condition = 'attribute_exists(#pk)';
    const blocked = options.unlessStatusIn ?? [];
    if (blocked.length) {
      names['#status'] = 'status';
      blocked.forEach((status, i) => {
        values[`:blocked${i}`] = status;
      });
      condition += ` AND NOT #status IN (${blocked.map((_, i) => `:blocked${i}`).join(', ')})`;
    }
    const required = options.ifStatusIn ?? [];
    if (required.length) {
      names['#status'] = 'status';
      required.forEach((status, i) => {
        values[`:required${i}`] = status;
      });
      condition += ` AND #status IN (${required.map((_, i) => `:required${i}`).join(', ')})`;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: purchaseKey(purchaseId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const current = blocked.length || required.length ? await this.get(purchaseId) : undefined;
      if (current) throw new PurchaseStatusConflictError(`purchase ${purchaseId} is ${current.status}; not overwritten`);
      throw new PurchaseNotFoundError(`purchase ${purchaseId} not found`);
    }
  }
}
