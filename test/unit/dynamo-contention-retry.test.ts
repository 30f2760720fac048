import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClientFor } from '../../lambdas/shared/aws-clients/dynamodb';

/*
 * On DynamoDB, a transaction cancelled by a conflicting write or by throttling, and a plain write
 * that meets a transaction, are errors the SDK does not retry; procure's client marks them so it
 * does (lambdas/shared/aws-clients/dynamodb.ts). The local DynamoDB refuses conflicting writes as
 * DynamoDB does (lib/local/dynamo-conflicts.ts), but only when they happen to meet; here each answer
 * must come at a given attempt, and throttling never happens locally, so DynamoDB's answers are
 * played by a stub HTTP handler: the one mock in this file, standing in for AWS.
 */

type Answer = { status: number; body: Record<string, unknown> };

function clientAnswering(answers: Answer[]): { client: DynamoDBClient; attempts: () => number } {
  let attempts = 0;
  const requestHandler = {
    handle: async () => {
      const a = answers[Math.min(attempts, answers.length - 1)]!;
      attempts += 1;
      const text = JSON.stringify(a.body);
      return {
        response: {
          statusCode: a.status,
          reason: '',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(text)) },
          body: Readable.from([Buffer.from(text)]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    requestHandler: requestHandler as never,
    maxAttempts: 3,
  });
  return { client, attempts: () => attempts };
}

const cancelled = (...codes: string[]): Answer => ({
  status: 400,
  body: {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    CancellationReasons: codes.map((Code) => ({ Code })),
  },
});
const OK: Answer = { status: 200, body: {} };
const transaction = new TransactWriteCommand({
  TransactItems: [
    { Update: { TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 1 } } },
    { Put: { TableName: 'u', Item: { pk: 'c', sk: 'd' } } },
  ],
});

describe('the DynamoDB client retries transaction contention', () => {
  it('retries a transaction cancelled by a conflict or by throttling', async () => {
    for (const codes of [
      ['TransactionConflict', 'None'],
      ['None', 'ThrottlingError'],
      ['ProvisionedThroughputExceeded', 'None'],
    ]) {
      const { client, attempts } = clientAnswering([cancelled(...codes), OK]);
      await expect(documentClientFor(client).send(transaction)).resolves.toBeDefined();
      expect(attempts()).toBe(2);
    }
  });

  it('gives a conflict the shorter transient backoff and throttling the throttling one', async () => {
    // Read from the mark the retry strategy sees: with one attempt allowed, the error as thrown.
    const markOf = async (answer: Answer) => {
      const { client } = clientAnswering([answer]);
      client.config.maxAttempts = async () => 1;
      const err = await documentClientFor(client)
        .send(transaction)
        .then(
          () => undefined,
          (e: unknown) => e as { $retryable?: unknown },
        );
      return err?.$retryable;
    };
    expect(await markOf(cancelled('TransactionConflict', 'None'))).toEqual({});
    expect(await markOf(cancelled('TransactionConflict', 'ThrottlingError'))).toEqual({ throttling: true });
    expect(await markOf({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#TransactionInProgressException', Message: 'in progress' } })).toEqual(
      {},
    );
    expect(await markOf(cancelled('ConditionalCheckFailed', 'None'))).toBeUndefined();
  });

  it('never retries a cancellation that names a failed condition', async () => {
    const { client, attempts } = clientAnswering([cancelled('ConditionalCheckFailed', 'TransactionConflict'), OK]);
    await expect(documentClientFor(client).send(transaction)).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(attempts()).toBe(1);
  });

  it('retries a plain write that met a transaction', async () => {
    const conflict: Answer = { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException', message: 'conflict' } };
    const { client, attempts } = clientAnswering([conflict, OK]);
    const update = new UpdateCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 1 } });
    await expect(documentClientFor(client).send(update)).resolves.toBeDefined();
    expect(attempts()).toBe(2);
  });
});
