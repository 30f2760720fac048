import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PurchaseIndex, PurchasePage, PurchaseRecord, PurchaseStore, PurchaseUpdateOptions } from '../../core/ports';
import { ProcureError, PurchaseStatusConflictError } from '../../core/errors';
import { listPosition, newestFirst } from '../../core/purchase-list';
import { PURCHASE_STATUSES, type PurchaseStatus } from '../../core/workflow';
import { PURCHASE_INDEX, STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed, whenConditionHolds } from './conditional-check';

/**
 * {@link PurchaseStore} and {@link PurchaseIndex} on the state table:
 *   REQ#<requestId> / REQ        { purchaseId, requestHash, createdAt }  (claimed once, never changed)
 *   PURCHASE#<id>   / META       the {@link PurchaseRecord}, plus createdSeq (its listPosition)
 *
 * The listing reads the sparse purchasesByStatus index (status, createdSeq): one status is one
 * Query; all statuses are one Query per status, merged (there is one index, so an existing table
 * takes it in one update: CloudFormation adds one GSI per table update). Every read is a key
 * condition on the index, never a Scan or a filter, so a page reads at most `limit + 1` records per
 * status queried, whatever the table holds.
 */

/** `update` on a purchase that was never created. */
export class PurchaseNotFoundError extends ProcureError {
  override name = 'PurchaseNotFoundError';
}

const PK = STATE_TABLE.partitionKey;
const SK = STATE_TABLE.sortKey;

/** Keys of a purchase's META item. */
export function purchaseKey(purchaseId: string): Record<string, string> {
  return { [PK]: `PURCHASE#${purchaseId}`, [SK]: 'META' };
}
function requestKey(requestId: string): Record<string, string> {
  return { [PK]: `REQ#${requestId}`, [SK]: 'REQ' };
}

const SEQ = PURCHASE_INDEX.sortKey;

function toRecord(item: Record<string, unknown>): PurchaseRecord {
  const { [PK]: _pk, [SK]: _sk, [SEQ]: _seq, ...rest } = item;
  return rest as unknown as PurchaseRecord;
}

/** The Put that creates a purchase's record, unless it exists. */
export function purchaseCreateInput(tableName: string, record: PurchaseRecord) {
  return {
    TableName: tableName,
    // createdSeq puts the record in the listing index; it is written once and never changes.
    Item: { ...purchaseKey(record.purchaseId), ...record, [SEQ]: listPosition(record) },
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': PK },
  };
}

/** The UpdateItem that sets `patch` (and updatedAt `now`) on an existing purchase, under the status conditions of `options`. */
export function purchaseUpdateInput(
  tableName: string,
  purchaseId: string,
  patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>,
  now: Date,
  options: PurchaseUpdateOptions = {},
) {
  const fields: Record<string, unknown> = { updatedAt: now.toISOString() };
  for (const [k, v] of Object.entries(patch)) {
    if (v !== undefined && k !== 'purchaseId' && k !== PK && k !== SK && k !== SEQ) fields[k] = v;
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
  return {
    TableName: tableName,
    Key: purchaseKey(purchaseId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export class DynamoPurchaseStore implements PurchaseStore, PurchaseIndex {
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
    const got = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: requestKey(requestId), ConsistentRead: true }));
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
    await whenConditionHolds(this.doc.send(new PutCommand(purchaseCreateInput(this.tableName, record))));
  }

  /** The current record, strongly consistent; undefined when unknown. */
  async get(purchaseId: string): Promise<PurchaseRecord | undefined> {
    const got = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: purchaseKey(purchaseId), ConsistentRead: true }));
    return got.Item ? toRecord(got.Item) : undefined;
  }

  /**
   * Sets the given fields (undefined ones are skipped) and `updatedAt` (now, unless given).
   * Never creates a record: throws {@link PurchaseNotFoundError} for an unknown id. With
   * `unlessStatusIn`, the write is conditional on the current status not being one of those, with
   * `ifStatusIn` on its being one of those ({@link PurchaseStatusConflictError} otherwise, and
   * nothing is written).
   */
  async update(purchaseId: string, patch: Partial<Omit<PurchaseRecord, 'purchaseId'>>, options: PurchaseUpdateOptions = {}): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand(purchaseUpdateInput(this.tableName, purchaseId, patch, this.clock(), options)));
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      throw await this.refusedUpdate(purchaseId, options);
    }
  }

  /** Why an update's condition failed: the status it met (when it named statuses), else no purchase. */
  async refusedUpdate(purchaseId: string, options: PurchaseUpdateOptions): Promise<Error> {
    const current = options.unlessStatusIn?.length || options.ifStatusIn?.length ? await this.get(purchaseId) : undefined;
    if (current) return new PurchaseStatusConflictError(`purchase ${purchaseId} is ${current.status}; not overwritten`);
    return new PurchaseNotFoundError(`purchase ${purchaseId} not found`);
  }

  /**
   * Newest first, from the purchasesByStatus index. Without a status, every status is queried
   * (each for one record more than the page, so the merge knows whether anything is left).
   */
  async list(query: { status?: PurchaseStatus; since?: string; after?: string; limit: number }): Promise<PurchasePage> {
    const statuses = query.status ? [query.status] : PURCHASE_STATUSES;
    const pages = await Promise.all(statuses.map((status) => this.queryStatus(status, query.since, query.after, query.limit + 1)));
    return newestFirst(pages, query.limit);
  }

  /** Up to `want` records of one status in [since, after), newest first. */
  private async queryStatus(status: PurchaseStatus, since: string | undefined, after: string | undefined, want: number): Promise<PurchaseRecord[]> {
    // BETWEEN is inclusive and the cursor is the last record already shown: drop it below.
    if (since !== undefined && after !== undefined && since > after) return [];
    const range =
      since !== undefined && after !== undefined
        ? '#seq BETWEEN :since AND :after'
        : since !== undefined
          ? '#seq >= :since'
          : after !== undefined
            ? '#seq < :after'
            : undefined;
    const out: PurchaseRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: PURCHASE_INDEX.name,
          KeyConditionExpression: `#status = :status${range ? ` AND ${range}` : ''}`,
          ExpressionAttributeNames: { '#status': PURCHASE_INDEX.partitionKey, ...(range ? { '#seq': SEQ } : {}) },
          ExpressionAttributeValues: {
            ':status': status,
            ...(since !== undefined ? { ':since': since } : {}),
            ...(after !== undefined ? { ':after': after } : {}),
          },
          ScanIndexForward: false,
          Limit: want - out.length + 1,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) if (item[SEQ] !== after) out.push(toRecord(item));
      start = page.LastEvaluatedKey;
      // A page can also end at 1 MB; keep reading until there are enough or nothing is left.
    } while (start && out.length < want);
    return out.slice(0, want);
  }
}
