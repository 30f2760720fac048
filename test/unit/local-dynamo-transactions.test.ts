import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamo } from '../../lib/local/dynamo';
import { LocalTransactions } from '../../lib/local/dynamo-transactions';
import { clientOf, pkSkTable, startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';
import { useTempDirs } from '../support/local-machines';

/*
 * TransactWriteItems on the local DynamoDB (lib/local/dynamo-transactions.ts, answered by the
 * front because dynalite lacks it): all or nothing, every condition reported, isolated from other
 * requests, idempotent per ClientRequestToken, and never left half-applied by a killed runtime.
 * Real dynalite behind the runtime's front, through the AWS SDK.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startLocalDynamo();
});
afterAll(async () => {
  await db.close();
});

const key = (pk: string) => ({ pk, sk: 'X' });
const get = async (pk: string) => (await db.doc.send(new GetCommand({ TableName: db.stateTable, Key: key(pk), ConsistentRead: true }))).Item;
const put = (pk: string, v: number) => db.doc.send(new PutCommand({ TableName: db.stateTable, Item: { ...key(pk), v } }));
let n = 0;
const fresh = () => `tx-${++n}`;

/** Sets `v` of `pk` if it is `from`. */
const setIf = (pk: string, from: number | undefined, to: number) => ({
  Update: {
    TableName: db.stateTable,
    Key: key(pk),
    UpdateExpression: 'SET v = :to',
    ConditionExpression: from === undefined ? 'attribute_not_exists(pk)' : 'v = :from',
    ExpressionAttributeValues: { ':to': to, ...(from === undefined ? {} : { ':from': from }) },
  },
});

async function cancelled(items: object[]): Promise<string[]> {
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (err) {
    expect(err).toBeInstanceOf(TransactionCanceledException);
    return ((err as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? '?');
  }
  throw new Error('the transaction was not cancelled');
}

describe('TransactWriteItems on the local DynamoDB', () => {
  it('applies every action when every condition holds', async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    await put(a, 1);
    await put(c, 5);
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          setIf(a, 1, 2),
          { Put: { TableName: db.auditTable, Item: { purchaseId: b, seq: '1', note: 'x' }, ConditionExpression: 'attribute_not_exists(seq)' } },
          { Delete: { TableName: db.stateTable, Key: key(c) } },
        ],
      }),
    );
    expect((await get(a))?.v).toBe(2);
    expect((await db.doc.send(new GetCommand({ TableName: db.auditTable, Key: { purchaseId: b, seq: '1' } }))).Item?.note).toBe('x');
    expect(await get(c)).toBeUndefined();
  });

  it('applies nothing when a condition fails, and names each failing action', async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    await put(a, 1);
    await put(b, 1);
    expect(await cancelled([setIf(a, 1, 2), setIf(b, 7, 8), setIf(c, undefined, 3)])).toEqual(['None', 'ConditionalCheckFailed', 'None']);
    expect((await get(a))?.v).toBe(1);
    expect((await get(b))?.v).toBe(1);
    expect(await get(c)).toBeUndefined();
    expect(await cancelled([setIf(a, 9, 2), setIf(b, 9, 8)])).toEqual(['ConditionalCheckFailed', 'ConditionalCheckFailed']);
    // A cancelled transaction holds its items no longer: plain writes to them go through.
    await put(a, 5);
    expect((await get(a))?.v).toBe(5);
  });

  it('refuses no actions and more than 100, as DynamoDB does, writing nothing', async () => {
    const many = Array.from({ length: 101 }, () => setIf(fresh(), undefined, 1));
    await expect(db.doc.send(new TransactWriteCommand({ TransactItems: many as never }))).rejects.toThrow(/between 1 and 100/);
    for (const item of many.slice(0, 3)) expect(await get(item.Update.Key.pk)).toBeUndefined();
    await expect(db.client.send(new TransactWriteItemsCommand({ TransactItems: [] }))).rejects.toThrow(/between 1 and 100|transactItems/);
  });

  it('refuses two actions on one item, and an action it does not support, before writing anything', async () => {
    const a = fresh();
    await expect(db.doc.send(new TransactWriteCommand({ TransactItems: [setIf(a, undefined, 1), setIf(a, undefined, 2)] as never }))).rejects.toThrow(
      /multiple operations on one item/,
    );
    await expect(
      db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            setIf(a, undefined, 1),
            { ConditionCheck: { TableName: db.stateTable, Key: key(fresh()), ConditionExpression: 'attribute_exists(pk)' } },
          ] as never,
        }),
      ),
    ).rejects.toThrow(/ConditionCheck is not supported/);
    expect(await get(a)).toBeUndefined();
  });

  it('puts everything back when an action is invalid', async () => {
    const a = fresh();
    await put(a, 1);
    await expect(
      db.doc.send(
        new TransactWriteCommand({
          TransactItems: [setIf(a, 1, 2), { Update: { TableName: db.stateTable, Key: key(fresh()), UpdateExpression: 'SET v = :missing' } }] as never,
        }),
      ),
    ).rejects.toThrow(/:missing/);
    expect((await get(a))?.v).toBe(1);
  });

  it('makes a repeat with the same ClientRequestToken a no-op, and refuses the token with other actions', async () => {
    const a = fresh();
    await put(a, 0);
    const add = {
      Update: {
        TableName: { S: db.stateTable }.S,
        Key: { pk: { S: a }, sk: { S: 'X' } },
        UpdateExpression: 'ADD v :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      },
    };
    const token = `token-${a}`;
    await db.client.send(new TransactWriteItemsCommand({ TransactItems: [add], ClientRequestToken: token }));
    await db.client.send(new TransactWriteItemsCommand({ TransactItems: [add], ClientRequestToken: token }));
    expect((await get(a))?.v).toBe(1);
    await db.client.send(new TransactWriteItemsCommand({ TransactItems: [add], ClientRequestToken: `${token}-2` }));
    expect((await get(a))?.v).toBe(2);
    const other = { ...add, Update: { ...add.Update, ExpressionAttributeValues: { ':one': { N: '5' } } } };
    await expect(db.client.send(new TransactWriteItemsCommand({ TransactItems: [other], ClientRequestToken: token }))).rejects.toThrow(
      /IdempotentParameterMismatch|used with other actions/,
    );
    expect((await get(a))?.v).toBe(2);
  });

  it('runs alone: a write to an item between its actions is never undone when it is cancelled, and one refused never lands', async () => {
    // Each transaction sets `a` and ten fresh items, then fails its condition on `b` at the end
    // (so it puts everything back), while plain increments of `a` arrive. Run inside a
    // transaction, an increment would land between the set and the put-back, and the put-back
    // would erase it. Many transactions queue at once, so a gate that lets every waiter through
    // when one ends would also let two run together. An increment that arrives while a transaction
    // on `a` is applied is refused, as DynamoDB refuses it, and must then never land; a
    // transaction arriving then is cancelled for that item.
    const [a, b] = [fresh(), fresh()];
    await put(a, 0);
    const rounds = 60;
    const others = Array.from({ length: 10 }, () => fresh());
    const increments: Array<Promise<'landed' | 'refused'>> = [];
    const transactions: Promise<string[]>[] = [];
    for (let i = 0; i < rounds; i++) {
      const items = [
        { Update: { TableName: db.stateTable, Key: key(a), UpdateExpression: 'SET tag = :t', ExpressionAttributeValues: { ':t': i } } },
        ...others.map((o) => ({ Update: { TableName: db.stateTable, Key: key(o), UpdateExpression: 'SET tag = :t', ExpressionAttributeValues: { ':t': i } } })),
        setIf(b, 99, 1),
      ];
      transactions.push(cancelled(items));
      increments.push(
        db.doc
          .send(new UpdateCommand({ TableName: db.stateTable, Key: key(a), UpdateExpression: 'ADD v :one', ExpressionAttributeValues: { ':one': 1 } }))
          .then(
            () => 'landed' as const,
            (err: unknown) => {
              expect((err as Error).name).toBe('TransactionConflictException');
              return 'refused' as const;
            },
          ),
      );
    }
    const [reasons, outcomes] = await Promise.all([Promise.all(transactions), Promise.all(increments)]);
    const item = await get(a);
    expect(item?.v).toBe(outcomes.filter((o) => o === 'landed').length);
    expect(item?.tag).toBeUndefined();
    for (const o of others) expect(await get(o)).toBeUndefined();
    // Each was cancelled by its own condition on `b` or, met while another ran, for the items they share.
    const all = (code: string) => [a, ...others, b].map(() => code);
    for (const r of reasons) expect([['None', ...others.map(() => 'None'), 'ConditionalCheckFailed'], all('TransactionConflict')]).toContainEqual(r);
  });

  it('refuses, as DynamoDB does, a write to an item of the transaction it is applying, and cancels a transaction naming one', async () => {
    const items = Array.from({ length: 100 }, () => fresh());
    const [target, bystander] = [items[0]!, fresh()];
    // Retried as in production: a small one sent just after may be applied first and cancel it once.
    const tx = db.retryingDoc.send(
      new TransactWriteCommand({ TransactItems: items.map((pk) => ({ Put: { TableName: db.stateTable, Item: { ...key(pk), v: 1 } } })) }),
    );
    const writes: Array<Promise<string>> = [];
    const meeting: Array<Promise<string[] | 'applied'>> = [];
    // Sent every 2 ms until the transaction ends: those arriving while it is applied meet it.
    const poll = setInterval(() => {
      writes.push(
        db.doc
          .send(new UpdateCommand({ TableName: db.stateTable, Key: key(target), UpdateExpression: 'ADD hits :one', ExpressionAttributeValues: { ':one': 1 } }))
          .then(
            () => 'landed',
            (err: unknown) => (err as Error).name,
          ),
      );
      meeting.push(
        db.doc
          .send(
            new TransactWriteCommand({
              TransactItems: [
                { Update: { TableName: db.stateTable, Key: key(target), UpdateExpression: 'ADD meets :one', ExpressionAttributeValues: { ':one': 1 } } },
                { Update: { TableName: db.stateTable, Key: key(bystander), UpdateExpression: 'ADD meets :one', ExpressionAttributeValues: { ':one': 1 } } },
              ],
            }),
          )
          .then(
            () => 'applied' as const,
            (err: unknown) => ((err as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? '?'),
          ),
      );
    }, 2);
    await tx.finally(() => clearInterval(poll));
    const [wrote, met] = [await Promise.all(writes), await Promise.all(meeting)];
    expect(wrote).toContain('TransactionConflictException');
    for (const w of wrote) expect(['landed', 'TransactionConflictException']).toContain(w);
    expect(met).toContainEqual(['TransactionConflict', 'None']);
    // Those queued behind it run in turn, and one may meet another on both items.
    for (const m of met) expect(['applied', ['TransactionConflict', 'None'], ['TransactionConflict', 'TransactionConflict']]).toContainEqual(m);
    // What was applied, and only that: the bystander counts the transactions that went through.
    expect((await get(bystander))?.meets ?? 0).toBe(met.filter((m) => m === 'applied').length);
    for (const pk of items.slice(1)) expect((await get(pk))?.v).toBe(1);
    // Once it ended, nothing is refused any more.
    await put(target, 7);
    expect((await get(target))?.v).toBe(7);
  });
});

describe('a transaction a killed runtime left half-applied', () => {
  const tempDir = useTempDirs('procure-dynamo-tx-');
  const TABLE = pkSkTable('TxTest', 'tx-test');

  it('is put back when the runtime starts again, and a finished one leaves no note', async () => {
    const path = join(tempDir(), 'dynamo');
    const intent = `${path}.transaction.json`;
    const first = await startDynamo({ tables: [TABLE], path, region: 'us-east-1' });
    const client = clientOf(first);
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: TABLE.name, Item: { pk: { S: 'A' }, sk: { S: 'X' }, v: { N: '2' } } } },
            { Put: { TableName: TABLE.name, Item: { pk: { S: 'B' }, sk: { S: 'X' }, v: { N: '2' } } } },
          ],
        }),
      );
      expect(existsSync(intent)).toBe(false);
    } finally {
      client.destroy();
      await first.close();
    }
    // What the front notes before its first action: A held 1 and B did not exist. Both actions
    // were applied (v 2 above) when the process "died", before it removed the note.
    writeFileSync(
      intent,
      JSON.stringify({
        before: [
          { table: TABLE.name, key: { pk: { S: 'A' }, sk: { S: 'X' } }, item: { pk: { S: 'A' }, sk: { S: 'X' }, v: { N: '1' } } },
          { table: TABLE.name, key: { pk: { S: 'B' }, sk: { S: 'X' } } },
        ],
      }),
    );
    const lines: string[] = [];
    const second = await startDynamo({ tables: [TABLE], path, region: 'us-east-1', log: (l) => lines.push(l) });
    const again = clientOf(second);
    try {
      const read = async (pk: string) =>
        (await again.send(new GetItemCommand({ TableName: TABLE.name, Key: { pk: { S: pk }, sk: { S: 'X' } }, ConsistentRead: true }))).Item;
      expect((await read('A'))?.v).toEqual({ N: '1' });
      expect(await read('B')).toBeUndefined();
      expect(existsSync(intent)).toBe(false);
      expect(lines.join('\n')).toMatch(/put back 2 item\(s\) of a transaction/);
    } finally {
      again.destroy();
      await second.close();
    }
  });
});

describe('a transaction whose store throws instead of answering', () => {
  // dynalite throws on some malformed values instead of answering, which the SDK will not send:
  // a small map-backed store stands in for it here so the throw can be placed (the only stand-in
  // in this file).
  function store(throwOn: (op: string, n: number) => boolean) {
    const items = new Map<string, Record<string, unknown>>();
    let n = 0;
    const id = (input: Record<string, unknown>) =>
      JSON.stringify((input.Key ?? { pk: (input.Item as Record<string, unknown>).pk, sk: (input.Item as Record<string, unknown>).sk }) as object);
    const call = async (op: string, input: Record<string, unknown>) => {
      n += 1;
      if (op === 'DescribeTable') return { status: 200, body: { Table: { KeySchema: [{ AttributeName: 'pk' }, { AttributeName: 'sk' }] } } };
      if (throwOn(op, n)) throw new Error(`thrown at call ${n}`);
      if (op === 'GetItem') return { status: 200, body: items.has(id(input)) ? { Item: items.get(id(input)) } : {} };
      if (op === 'PutItem') items.set(id(input), input.Item as Record<string, unknown>);
      if (op === 'DeleteItem') items.delete(id(input));
      return { status: 200, body: {} };
    };
    return { items, call };
  }
  const putOf = (pk: string) => ({ Put: { TableName: 't', Item: { pk: { S: pk }, sk: { S: 'X' } } } });
  const body = (...pks: string[]) => Buffer.from(JSON.stringify({ TransactItems: pks.map(putOf) }));

  it('puts back every action, the one that threw included, and answers 500', async () => {
    // Calls: DescribeTable, 2 GetItems, then the Puts: the second Put (call 5) throws.
    const s = store((op, n) => op === 'PutItem' && n === 5);
    const tx = new LocalTransactions();
    const answer = await tx.write(body('A', 'B'), s.call);
    expect(answer.status).toBe(500);
    expect(s.items.size).toBe(0);
    expect(tx.broken).toBeUndefined();
  });

  it('stops writing when it cannot put a transaction back', async () => {
    const s = store((op, n) => (op === 'PutItem' && n === 5) || (op === 'DeleteItem' && n > 5));
    const tx = new LocalTransactions();
    await expect(tx.write(body('A', 'B'), s.call)).rejects.toThrow(/thrown at call/);
    expect(tx.broken).toMatch(/thrown at call/);
    // One admitted after it (it waited while the first ran) writes nothing.
    const before = new Map(s.items);
    expect((await tx.write(body('C'), s.call)).status).toBe(500);
    expect(s.items).toEqual(before);
  });
});
