import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, startDynamo, type LocalDynamo } from '../../lib/local/dynamo';
import { LambdaHost } from '../../lib/local/lambda-host';
import { dynamoCallOf, type DynamoCall, type InvocationRecord } from '../../lib/local/metering';
import { tinyLambdas, type TinyLambdas } from '../support/tiny-lambdas';

describe('dynamoCallOf', () => {
  it('reads the operation from X-Amz-Target and the table from the body', () => {
    const call = dynamoCallOf('DynamoDB_20120810.GetItem', JSON.stringify({ TableName: 'state', Key: {} }), 5);
    expect(call).toEqual({ operation: 'GetItem', tables: ['state'], items: 1, at: 5 });
  });

  it('counts the items of a batch across its tables', () => {
    const write = dynamoCallOf('DynamoDB_20120810.BatchWriteItem', JSON.stringify({ RequestItems: { a: [{}, {}], b: [{}] } }), 0);
    const get = dynamoCallOf('DynamoDB_20120810.BatchGetItem', JSON.stringify({ RequestItems: { a: { Keys: [{}, {}, {}] } } }), 0);
    expect(write).toMatchObject({ operation: 'BatchWriteItem', tables: ['a', 'b'], items: 3 });
    expect(get).toMatchObject({ operation: 'BatchGetItem', tables: ['a'], items: 3 });
  });

  it('counts the actions of a transaction and the tables they name', () => {
    const body = { TransactItems: [{ Update: { TableName: 'state' } }, { Put: { TableName: 'audit' } }, { Delete: { TableName: 'state' } }] };
    expect(dynamoCallOf('DynamoDB_20120810.TransactWriteItems', JSON.stringify(body), 2)).toEqual({
      operation: 'TransactWriteItems',
      tables: ['state', 'audit'],
      items: 3,
      at: 2,
    });
  });

  it('still counts a request without a known target or a JSON body', () => {
    expect(dynamoCallOf(undefined, Buffer.from('not json'), 1)).toEqual({ operation: 'unknown', tables: [], items: 1, at: 1 });
  });
});

describe('the DynamoDB front reports each request it passed on', () => {
  const calls: DynamoCall[] = [];
  let dynamo: LocalDynamo;
  const table = {
    logicalId: 'T',
    name: 'metered',
    input: {
      TableName: 'metered',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }],
      BillingMode: 'PAY_PER_REQUEST' as const,
    },
  };

  beforeAll(async () => {
    dynamo = await startDynamo({ tables: [table], region: 'us-east-1', onCall: (c) => calls.push(c) });
  });
  afterAll(async () => dynamo?.close());

  it('with its operation and table, and not a request refused for its signature', async () => {
    calls.length = 0;
    await dynamo.client.send(new GetItemCommand({ TableName: 'metered', Key: { pk: { S: 'a' } } }));
    await dynamo.client.send(
      new BatchWriteItemCommand({ RequestItems: { metered: [{ PutRequest: { Item: { pk: { S: 'b' } } } }, { PutRequest: { Item: { pk: { S: 'c' } } } }] } }),
    );
    const stranger = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'nobody', secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    await expect(stranger.send(new GetItemCommand({ TableName: 'metered', Key: { pk: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    stranger.destroy();
    const other = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    await other.send(new GetItemCommand({ TableName: 'metered', Key: { pk: { S: 'a' } } }));
    other.destroy();
    // One client's calls share a keep-alive connection; another client has its own.
    expect(calls[0]!.connection).toBe(calls[1]!.connection);
    expect(calls[2]!.connection).not.toBe(calls[0]!.connection);
    calls.pop();
    expect(calls.map(({ operation, tables, items }) => ({ operation, tables, items }))).toEqual([
      { operation: 'GetItem', tables: ['metered'], items: 1 },
      { operation: 'BatchWriteItem', tables: ['metered'], items: 2 },
    ]);
  });
});

describe('the Lambda host reports each settled invocation', () => {
  const records: InvocationRecord[] = [];
  let lambdas: TinyLambdas;
  let host: LambdaHost;

  beforeAll(() => {
    lambdas = tinyLambdas({
      Ok: { code: `exports.handler = async () => 1;`, memoryMb: 512 },
      Fails: { code: `exports.handler = async () => { throw new Error('no'); };` },
    });
    host = new LambdaHost(lambdas.functions, { onInvocation: (r) => records.push(r) });
  });
  afterAll(async () => {
    await host?.close();
    lambdas?.remove();
  });

  it('cold first, then warm, with its memory, times in order, and whether it succeeded', async () => {
    await host.invoke('Ok0A1B2C3D', {});
    await host.invoke('Ok0A1B2C3D', {});
    await expect(host.invoke('Fails0A1B2C3D', {})).rejects.toThrow('no');
    await new Promise((r) => setImmediate(r));
    expect(records.map(({ constructId, memoryMb, cold, ok }) => ({ constructId, memoryMb, cold, ok }))).toEqual([
      { constructId: 'Ok', memoryMb: 512, cold: true, ok: true },
      { constructId: 'Ok', memoryMb: 512, cold: false, ok: true },
      { constructId: 'Fails', memoryMb: 256, cold: true, ok: false },
    ]);
    for (const r of records) {
      expect(r.acceptedAt).toBeLessThanOrEqual(r.startedAt);
      expect(r.startedAt).toBeLessThanOrEqual(r.endedAt);
    }
    // A cold start's handler starts only after its code loaded.
    expect(records[0]!.startedAt).toBeGreaterThan(records[0]!.acceptedAt);
  });
});
