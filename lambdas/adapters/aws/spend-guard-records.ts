import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STATE_TABLE } from '../../shared/table-keys';
import { whenConditionHolds } from './conditional-check';
import { reservationKey, type ItemKey, type ReservationItem, type ReservationStatus } from './spend-guard-items';

const PK = STATE_TABLE.partitionKey;

/**
 * The spend guard's RESERVATION#<purchaseId> records (dynamo-spend-guard.ts): created once per
 * purchase, read back consistently, and removed again after a refusal. The guard's status
 * transitions are made here (transition), in the order the guard's counter steps need.
 */
export class ReservationRecords {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The `createdAt` / `updatedAt` to write (the guard's clock, as ISO time). */
    private readonly now: () => string,
    /** A consistent read of one item (the counters' reader, shared). */
    private readonly getItem: (key: ItemKey) => Promise<Record<string, unknown> | undefined>,
  ) {}

  /** Puts the purchase's RESERVING record, or returns the one it already has. */
  async createOrGetRecord(fields: Omit<ReservationItem, 'status' | 'createdAt' | 'updatedAt'>): Promise<ReservationItem> {
    const now = this.now();
    const item: ReservationItem = { ...fields, status: 'RESERVING', createdAt: now, updatedAt: now };
    const created = await whenConditionHolds(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...reservationKey(fields.purchaseId), ...item },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      ),
    );
    if (created) return item;
    const existing = await this.getRecord(fields.purchaseId);
    if (existing) return existing;
    // Abandoned between our put and our read (a concurrent refusal): try once more from scratch.
    return this.createOrGetRecord(fields);
  }

  /** Removes a refused reservation so the purchase holds nothing and a later retry starts clean. */
  async abandon(purchaseId: string): Promise<void> {
    await whenConditionHolds(
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: reservationKey(purchaseId),
          ConditionExpression: '#status = :reserving',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':reserving': 'RESERVING' },
        }),
      ),
    );
  }

  /**
   * Moves the purchase's record to status `to` if it is in one of `from`: the record as it is now,
   * or undefined when its status was none of them (the caller reads it again and decides).
   */
  async transition(purchaseId: string, from: readonly ReservationStatus[], to: ReservationStatus): Promise<ReservationItem | undefined> {
    const values = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
    const out = await whenConditionHolds(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: reservationKey(purchaseId),
          UpdateExpression: 'SET #status = :to, updatedAt = :now',
          ConditionExpression: `#status IN (${Object.keys(values).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':to': to, ':now': this.now() },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes as ReservationItem | undefined;
  }

  /** The purchase's record, read consistently; undefined when it has none. */
  async getRecord(purchaseId: string): Promise<ReservationItem | undefined> {
    return (await this.getItem(reservationKey(purchaseId))) as ReservationItem | undefined;
  }
}
