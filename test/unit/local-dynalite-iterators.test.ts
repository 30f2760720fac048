import { PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type LocalDynamo } from '../../lib/local/dynamo';
import { pkSkTable } from '../support/local-dynamo';

/** The level iterators dynalite opened, seen through a spy on its database's `values` (no mock: dynalite runs whole). */
interface LevelIterator {
  next(): Promise<unknown>;
}

/**
 * Issue 11, bullet 3: dynalite 4.0.0 never closes the LevelDB iterator a Query or Scan reads, so
 * each one stayed open with its read-ahead items for the life of the runtime. The runtime's
 * DynamoDB (startDynamo) closes them once the Query or Scan has answered (dynalite-iterators.ts).
 * An abstract-level iterator refuses next() with LEVEL_ITERATOR_NOT_OPEN once close() was called
 * (the close itself waits for a read-ahead still in flight).
 */
describe('the local DynamoDB closes the iterators of its Queries and Scans', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dynalite's own db module, whose create() the spy wraps
  const dbModule = require('dynalite/db') as { create: (options: object) => { db: { values: (...a: unknown[]) => LevelIterator } } };
  const create = dbModule.create;
  const opened: LevelIterator[] = [];
  let dynamo: LocalDynamo;
  const table = 'iterators';

  beforeAll(async () => {
    dbModule.create = (options) => {
      const store = create(options);
      const values = store.db.values;
      store.db.values = function (this: unknown, ...args: unknown[]) {
        const iterator = values.apply(this, args);
        opened.push(iterator);
        return iterator;
      };
      return store;
    };
    try {
      dynamo = await startDynamo({
        region: 'us-east-1',
        tables: [pkSkTable('Iterators', table)],
      });
    } finally {
      dbModule.create = create;
    }
    for (let i = 0; i < 5; i += 1) {
      await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'p' }, sk: { S: `s${i}` } } }));
    }
  });

  afterAll(async () => {
    await dynamo?.close();
  });

  it.each([
    [
      'a Query stopped by its Limit',
      () => new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, Limit: 1 }),
    ],
    [
      'a Query read to its end',
      () => new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }),
    ],
    ['a Scan', () => new ScanCommand({ TableName: table })],
  ])('%s answers, and leaves no iterator open', async (_what, command) => {
    const before = opened.length;
    const out = (await dynamo.client.send(command() as QueryCommand)) as { Items?: unknown[] };
    expect(out.Items?.length).toBeGreaterThan(0);
    const mine = opened.slice(before);
    expect(mine.length).toBeGreaterThan(0);
    for (const iterator of mine) await expect(iterator.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
  });
});
