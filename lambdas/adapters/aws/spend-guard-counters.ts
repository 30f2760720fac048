import { UpdateCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STATE_TABLE } from '../../shared/table-keys';
import { whenConditionHolds } from './conditional-check';
import { memberAttribute, numberOr0, ReservationStateError, type ClaimResult, type Counter, type ItemKey, type ReclaimResult } from './spend-guard-items';

const PK = STATE_TABLE.partitionKey;

/**
 * The spend guard's counter writes (dynamo-spend-guard.ts): each purchase's share of a monthly
 * budget or a daily count, added, changed, given back or forgotten with conditional updates, so
 * that concurrent purchases never pass a limit and a retried step never counts twice.
 */
export class SpendCounters {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The `updatedAt` to write (the guard's clock, as ISO time). */
    private readonly now: () => string,
  ) {}

  /**
   * Adds `amount` for this purchase unless that would pass the limit; idempotent per purchase.
   * `claimed` comes with the counter's total right after this write, which answers it.
   */
  async claim(counter: Counter, purchaseId: string, amount: number): Promise<ClaimResult> {
    const room = counter.limit - amount;
    if (room >= 0) {
      const claimed = await whenConditionHolds(
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: counter.key,
            UpdateExpression: 'SET #mine = :amount, updatedAt = :now ADD #total :amount',
            ConditionExpression: 'attribute_not_exists(#mine) AND (attribute_not_exists(#total) OR #total <= :room)',
            ExpressionAttributeNames: { '#mine': memberAttribute(purchaseId), '#total': counter.totalAttribute },
            ExpressionAttributeValues: { ':amount': amount, ':room': room, ':now': this.now() },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      if (claimed) return { outcome: 'claimed', totalCents: numberOr0(claimed.Attributes?.[counter.totalAttribute]) };
    }
    const item = await this.getItem(counter.key);
    if (item?.[memberAttribute(purchaseId)] !== undefined) return { outcome: 'already' };
    return { outcome: 'refused', totalCents: numberOr0(item?.[counter.totalAttribute]) };
  }

  /** Gives back whatever this purchase holds in the counter; a no-op when it holds nothing. */
  async unclaim(counter: Counter, purchaseId: string): Promise<void> {
    const mine = memberAttribute(purchaseId);
    for (;;) {
      const held = (await this.getItem(counter.key))?.[mine];
      if (held === undefined) return;
      const given = await whenConditionHolds(
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: counter.key,
            UpdateExpression: 'REMOVE #mine SET updatedAt = :now ADD #total :minus',
            ConditionExpression: '#mine = :held',
            ExpressionAttributeNames: { '#mine': mine, '#total': counter.totalAttribute },
            ExpressionAttributeValues: { ':held': held, ':minus': -numberOr0(held), ':now': this.now() },
          }),
        ),
      );
      if (given) return;
      // Changed under us: read again.
    }
  }

  /** Removes a committed purchase's attribute from a counter, leaving the total as it is. */
  async forget(counter: Counter, purchaseId: string): Promise<void> {
    // Refused only when it was already forgotten.
    await whenConditionHolds(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: counter.key,
          UpdateExpression: 'REMOVE #mine SET updatedAt = :now',
          ConditionExpression: 'attribute_exists(#mine)',
          ExpressionAttributeNames: { '#mine': memberAttribute(purchaseId) },
          ExpressionAttributeValues: { ':now': this.now() },
        }),
      ),
    );
  }

  /** Changes this purchase's amount in the counter, checking the cap only when it grows. */
  async reclaim(counter: Counter, purchaseId: string, amount: number): Promise<ReclaimResult> {
    const mine = memberAttribute(purchaseId);
    for (;;) {
      const item = await this.getItem(counter.key);
      const held = item?.[mine];
      if (typeof held !== 'number') throw new ReservationStateError(`purchase ${purchaseId} holds nothing in ${counter.key[PK]}`);
      if (held === amount) return { outcome: 'claimed' };
      const delta = amount - held;
      const room = counter.limit - delta;
      if (delta > 0 && room < 0) return { outcome: 'refused', totalCents: numberOr0(item?.[counter.totalAttribute]), previousCents: held };
      const changed = await whenConditionHolds(
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: counter.key,
            UpdateExpression: 'SET #mine = :amount, updatedAt = :now ADD #total :delta',
            ConditionExpression: delta > 0 ? '#mine = :held AND #total <= :room' : '#mine = :held',
            ExpressionAttributeNames: { '#mine': mine, '#total': counter.totalAttribute },
            ExpressionAttributeValues: {
              ':amount': amount,
              ':held': held,
              ':delta': delta,
              ':now': this.now(),
              ...(delta > 0 ? { ':room': room } : {}),
            },
          }),
        ),
      );
      if (changed) return { outcome: 'claimed' };
      const after = await this.getItem(counter.key);
      if (after?.[mine] === held) {
        return { outcome: 'refused', totalCents: numberOr0(after?.[counter.totalAttribute]), previousCents: held };
      }
      // Our own amount changed (a retried adjust): start over from what is stored.
    }
  }

  /** The item under `key`, read consistently. */
  async getItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item;
  }
}
