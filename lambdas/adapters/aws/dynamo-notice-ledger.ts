import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NoticeLedger } from '../../core/ports';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';

const PK = STATE_TABLE.partitionKey;
const SK = STATE_TABLE.sortKey;

/** Keys of one notice claim: beside the purchase's META item, outside the purchase index (no createdSeq). */
function noticeKey(purchaseId: string, key: string): Record<string, string> {
  return { [PK]: `PURCHASE#${purchaseId}`, [SK]: `NOTICE#${key}` };
}

/** {@link NoticeLedger} on the state table: `PURCHASE#<id> / NOTICE#<key>`, put only where none exists. */
export class DynamoNoticeLedger implements NoticeLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(purchaseId: string, key: string, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...noticeKey(purchaseId, key), claimedAt: at },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  async release(purchaseId: string, key: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: noticeKey(purchaseId, key) }));
  }
}
