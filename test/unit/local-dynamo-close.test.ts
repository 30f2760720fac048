import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { startDynamo, type LocalDynamo } from '../../lib/local/dynamo';
import { clientOf, pkSkTable } from '../support/local-dynamo';
import { useTempDirs } from '../support/local-machines';

/*
 * The runtime's DynamoDB front hands each checked request to dynalite in the same process
 * (lib/local/dynamo-front.ts). dynalite's own close() waits only for single store calls, not for a
 * request's chain of them, so closing while requests run must first wait for the ones handed over:
 * otherwise a Query or a Put meets a closed LevelDB and dynalite throws an uncaught error, which
 * would end the runtime's process halfway through its cleanup. Real dynalite on a data folder.
 */

const TABLE = pkSkTable('CloseTest', 'close-test');

const open = (path: string, onCall?: () => void): Promise<LocalDynamo> =>
  startDynamo({ tables: [TABLE], path, region: 'us-east-1', ...(onCall ? { onCall } : {}) });

/** A client of its own that does not retry, so each request's own outcome is seen. */

describe('closing the local DynamoDB while requests run', () => {
  const tempDir = useTempDirs('procure-dynamo-close-');

  it('answers every request it handed to dynalite before closing the store, and keeps every write it answered', async () => {
    const path = join(tempDir(), 'dynamo');
    const seed = await open(path);
    const seeding = clientOf(seed);
    try {
      for (let i = 0; i < 30; i++) {
        await seeding.send(new PutItemCommand({ TableName: TABLE.name, Item: { pk: { S: 'P' }, sk: { S: `seed-${i}` }, v: { S: 'x'.repeat(200) } } }));
      }
    } finally {
      seeding.destroy();
      await seed.close();
    }

    let received = 0;
    let closing: Promise<void> | undefined;
    const db = await open(path, () => {
      received += 1;
      // Close while most of the burst is in dynalite's hands.
      if (received === 40) closing = db.close();
    });
    const client = clientOf(db);
    const burst = Array.from({ length: 60 }, (_, i) =>
      i % 2 === 0
        ? client.send(new PutItemCommand({ TableName: TABLE.name, Item: { pk: { S: 'P' }, sk: { S: `burst-${i}` } } })).then(() => `burst-${i}`)
        : client
            .send(new QueryCommand({ TableName: TABLE.name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'P' } } }))
            .then(() => 'query'),
    );
    let outcomes: PromiseSettledResult<string>[];
    try {
      outcomes = await Promise.allSettled(burst);
    } finally {
      // The burst always reaches 40 calls; should it not, the store is still closed before the folder goes.
      await (closing ?? db.close());
      client.destroy();
    }
    expect(received).toBeGreaterThanOrEqual(40);

    const answered = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).message] : []));
    // What the front took before closing is answered; what reached it after is refused; the rest
    // was cut off before the front read it. Nothing else: no request met a closed store.
    const stopping = refused.filter((m) => m === 'local DynamoDB is stopping');
    const cutOff = refused.filter((m) => /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE/.test(m));
    expect(stopping.length + cutOff.length, refused.join('; ')).toBe(refused.length);
    expect(stopping.length).toBeGreaterThanOrEqual(1);
    expect(answered.length).toBeGreaterThanOrEqual(30);

    const reopened = await open(path);
    const reader = clientOf(reopened);
    try {
      for (const sk of answered.filter((a) => a !== 'query')) {
        const got = await reader.send(new GetItemCommand({ TableName: TABLE.name, Key: { pk: { S: 'P' }, sk: { S: sk } }, ConsistentRead: true }));
        expect(got.Item?.sk?.S, `${sk} was answered, so it must be stored`).toBe(sk);
      }
    } finally {
      reader.destroy();
      await reopened.close();
    }
  });
});
