import { describe, expect, it } from 'vitest';
import { itemId, OngoingItems } from '../../lib/local/dynamo-conflicts';

/*
 * Which writes the local DynamoDB refuses while it applies a transaction (lib/local/dynamo-conflicts.ts),
 * as DynamoDB does ("Transaction conflict handling in DynamoDB"): the answers themselves, without a
 * server (local-dynamo-transactions.test.ts sends them through the runtime's front).
 */

const TARGET = (op: string) => `DynamoDB_20120810.${op}`;
const body = (o: object) => Buffer.from(JSON.stringify(o));
const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'X' } });

function ongoing(...pks: string[]): OngoingItems {
  const items = new OngoingItems((table) => (table === 't' ? ['pk', 'sk'] : undefined));
  items.begin(pks.map((pk) => itemId('t', key(pk))));
  return items;
}

describe('writes meeting the transaction being applied', () => {
  it('refuses a PutItem, UpdateItem or DeleteItem on one of its items with TransactionConflictException', () => {
    const items = ongoing('A', 'B');
    for (const [op, input] of [
      ['PutItem', { TableName: 't', Item: { ...key('A'), v: { N: '1' } } }],
      ['UpdateItem', { TableName: 't', Key: key('B'), UpdateExpression: 'SET v = :v' }],
      ['DeleteItem', { TableName: 't', Key: { sk: { S: 'X' }, pk: { S: 'A' } } }],
    ] as const) {
      expect(items.conflictOf(TARGET(op), body(input))).toEqual({
        status: 400,
        body: { __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException', message: 'Transaction is ongoing for the item' },
      });
    }
  });

  it('lets writes to other items, reads, and anything once it ended, wait their turn', () => {
    const items = ongoing('A');
    expect(items.conflictOf(TARGET('UpdateItem'), body({ TableName: 't', Key: key('C') }))).toBeUndefined();
    expect(items.conflictOf(TARGET('UpdateItem'), body({ TableName: 'other', Key: key('A') }))).toBeUndefined();
    expect(items.conflictOf(TARGET('GetItem'), body({ TableName: 't', Key: key('A') }))).toBeUndefined();
    // A Put to a table whose key names are not known cannot name its item: it waits.
    expect(items.conflictOf(TARGET('PutItem'), body({ TableName: 'unknown', Item: key('A') }))).toBeUndefined();
    expect(items.conflictOf(TARGET('PutItem'), body({ TableName: 't' }))).toBeUndefined();
    expect(items.conflictOf(TARGET('UpdateItem'), Buffer.from('not json'))).toBeUndefined();
    items.end();
    expect(items.conflictOf(TARGET('UpdateItem'), body({ TableName: 't', Key: key('A') }))).toBeUndefined();
  });

  it('cancels a transaction naming one of its items, with TransactionConflict for each such action and None for the rest', () => {
    const items = ongoing('A', 'B');
    const answer = items.conflictOf(
      TARGET('TransactWriteItems'),
      body({
        TransactItems: [
          { Update: { TableName: 't', Key: key('C') } },
          { Put: { TableName: 't', Item: { ...key('B'), v: { N: '2' } } } },
          { Delete: { TableName: 't', Key: key('A') } },
        ],
      }),
    );
    expect(answer?.status).toBe(400);
    expect(answer?.body).toMatchObject({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'TransactionConflict' }],
    });
    expect(String(answer?.body.Message)).toContain('[None, TransactionConflict, TransactionConflict]');
    expect(items.conflictOf(TARGET('TransactWriteItems'), body({ TransactItems: [{ Update: { TableName: 't', Key: key('C') } }] }))).toBeUndefined();
  });

  it('tells the same transaction sent again while it is applied that it is in progress', () => {
    const items = new OngoingItems(() => ['pk', 'sk']);
    items.begin([itemId('t', key('A'))], 'token-1');
    const again = { ClientRequestToken: 'token-1', TransactItems: [{ Update: { TableName: 't', Key: key('A') } }] };
    expect(items.conflictOf(TARGET('TransactWriteItems'), body(again))?.body).toMatchObject({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionInProgressException',
    });
    // Another token naming the same item is a conflict; none at all once it ended.
    expect(items.conflictOf(TARGET('TransactWriteItems'), body({ ...again, ClientRequestToken: 'token-2' }))?.body).toMatchObject({
      CancellationReasons: [{ Code: 'TransactionConflict' }],
    });
    items.end();
    expect(items.conflictOf(TARGET('TransactWriteItems'), body(again))).toBeUndefined();
  });
});
