import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

describe('local DynamoDB test server', () => {
  let db: LocalDynamo;
  beforeAll(async () => {
    db = await startLocalDynamo();
  });
  afterAll(async () => db.close());

  it('rejects a second conditional put of the same key, as the real service does', async () => {
    const put = () =>
      db.client.send(
        new PutItemCommand({
          TableName: db.stateTable,
          Item: { pk: { S: 'REQ#a' }, sk: { S: 'REQ' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    await put();
    await expect(put()).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });
});
