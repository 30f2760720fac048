import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoSpendGuard } from '../../lambdas/adapters/aws/dynamo-spend-guard';
import { ReservationStateError, utcDay, utcMonth } from '../../lambdas/adapters/aws/spend-guard-items';
import { BudgetExceededError, DailyLimitExceededError } from '../../lambdas/core/errors';
import { countingDoc } from '../support/counting-doc';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

describe('DynamoSpendGuard', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = DynamoDBDocumentClient.from(db.client);
  });
  afterAll(async () => db.close());

  // Each test gets its own month (or day) so counters never leak between tests.
  let monthCounter = 0;
  function freshMonth(): Date {
    monthCounter += 1;
    return new Date(Date.UTC(2030 + Math.floor(monthCounter / 12), monthCounter % 12, 15, 12));
  }
  function guard(caps = { cocalc: 100, interserver: 50 }, dailyLimit = 1000): DynamoSpendGuard {
    return new DynamoSpendGuard(doc, db.stateTable, { capsUsd: caps, dailyLimit });
  }
  const pid = () => `pur-${randomUUID()}`;

  it('reserves an amount, reports it in remaining and returns the UTC month and day', async () => {
    const g = guard();
    const at = new Date('2029-01-31T23:30:00-05:00'); // already February 1st in UTC (before every freshMonth())
    const r = await g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 12.34, at });
    expect(r).toEqual({ vendor: 'cocalc', amountUsd: 12.34, month: '2029-02', day: '2029-02-01', budgetAfter: { capUsd: 100, remainingUsd: 87.66 } });
    expect(await g.remaining('cocalc', at)).toEqual({ capUsd: 100, reservedUsd: 12.34, remainingUsd: 87.66 });
  });

  it('says the budget left right after each reserve that claimed, counting every other reservation, and nothing when it found its own made', async () => {
    const g = guard();
    const at = freshMonth();
    const first = pid();
    expect((await g.reserve({ purchaseId: first, vendor: 'cocalc', amountUsd: 20, at })).budgetAfter).toEqual({ capUsd: 100, remainingUsd: 80 });
    const results = await Promise.all(Array.from({ length: 5 }, () => g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 10, at })));
    // Concurrent claims: each sees the total its own write made, so the five answers are 70, 60, ... 30 in some order.
    expect(results.map((r) => r.budgetAfter?.remainingUsd).sort((a, b) => a! - b!)).toEqual([30, 40, 50, 60, 70]);
    expect((await g.remaining('cocalc', at)).remainingUsd).toBe(30);
    const again = await g.reserve({ purchaseId: first, vendor: 'cocalc', amountUsd: 20, at });
    expect(again.budgetAfter).toBeUndefined();
    expect(again).toMatchObject({ vendor: 'cocalc', amountUsd: 20 });
  });

  it('writes the counters every purchase shares with plain conditional updates, never in a transaction', async () => {
    // On DynamoDB, a transaction on an item conflicts with every other write to it while it runs
    // (the local DynamoDB refuses those as DynamoDB does: lib/local/dynamo-conflicts.ts): on the
    // month's budget and the day's count, a burst's reservations would cancel each other.
    const calls: string[] = [];
    const g = new DynamoSpendGuard(countingDoc(doc, calls), db.stateTable, { capsUsd: { cocalc: 100, interserver: 50 }, dailyLimit: 1000 });
    const at = freshMonth();
    const [spent, given] = [pid(), pid()];
    await g.reserve({ purchaseId: spent, vendor: 'cocalc', amountUsd: 10, at });
    await g.reserve({ purchaseId: given, vendor: 'cocalc', amountUsd: 10, at });
    await g.adjust(given, 12);
    await g.commit(spent);
    await g.release(given);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !['GetCommand', 'PutCommand', 'UpdateCommand', 'DeleteCommand'].includes(c))).toEqual([]);
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(10);
  });

  it('keeps the books in integer cents so ten reservations of $0.10 make exactly $1.00', async () => {
    const g = guard({ cocalc: 1, interserver: 1 });
    const at = freshMonth();
    for (let i = 0; i < 10; i++) await g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 0.1, at });
    expect(await g.remaining('cocalc', at)).toEqual({ capUsd: 1, reservedUsd: 1, remainingUsd: 0 });
    await expect(g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 0.01, at })).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('lets exactly as many of 30 concurrent reservations through as fit under the cap', async () => {
    const g = guard({ cocalc: 100, interserver: 50 });
    const at = freshMonth();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 7.5, at })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(13); // 13 × 7.50 = 97.50; a 14th would be 105
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BudgetExceededError);
    expect(await g.remaining('cocalc', at)).toEqual({ capUsd: 100, reservedUsd: 97.5, remainingUsd: 2.5 });
  });

  it('lets exactly the daily limit of 30 concurrent reservations through and gives refused ones their budget back', async () => {
    const g = guard({ cocalc: 10_000, interserver: 10_000 }, 4);
    const at = freshMonth();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => g.reserve({ purchaseId: pid(), vendor: i % 2 ? 'cocalc' : 'interserver', amountUsd: 10, at })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DailyLimitExceededError);
    }
    const spent = (await g.remaining('cocalc', at)).reservedUsd + (await g.remaining('interserver', at)).reservedUsd;
    expect(spent).toBe(40);
    const daily = await doc.send(new GetCommand({ TableName: db.stateTable, Key: { pk: `DAILY#${utcDay(at)}`, sk: 'DAILY' } }));
    expect(daily.Item?.purchaseCount).toBe(4);
  });

  it('refuses an amount larger than the whole cap and reserves nothing', async () => {
    const g = guard({ cocalc: 100, interserver: 50 });
    const at = freshMonth();
    const id = pid();
    await expect(g.reserve({ purchaseId: id, vendor: 'interserver', amountUsd: 50.01, at })).rejects.toThrow(
      /interserver monthly budget .* \$50\.01 requested, \$50\.00 of \$50\.00 left/,
    );
    expect((await g.remaining('interserver', at)).reservedUsd).toBe(0);
    await g.release(id); // nothing to release: harmless
  });

  it('refuses every reservation when the daily limit is 0', async () => {
    const g = guard(undefined, 0);
    await expect(g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 1, at: freshMonth() })).rejects.toBeInstanceOf(DailyLimitExceededError);
  });

  it('reserves once when the same purchase reserves twice, even with another amount', async () => {
    const g = guard();
    const at = freshMonth();
    const id = pid();
    const first = await g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 20, at });
    const second = await g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 30, at });
    // The repeat finds the reservation made: the same one, and no budget figure of its own.
    const { budgetAfter, ...made } = first;
    expect(budgetAfter).toBeDefined();
    expect(second).toEqual(made);
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(20);
  });

  it('counts a purchase once when the same reservation is retried concurrently', async () => {
    const g = guard();
    const at = freshMonth();
    const id = pid();
    await Promise.all(Array.from({ length: 5 }, () => g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 20, at })));
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(20);
  });

  it('gives the amount and the daily slot back on release, and a second release is harmless', async () => {
    const g = guard({ cocalc: 100, interserver: 50 }, 1);
    const at = new Date('2032-03-03T10:00:00Z');
    const id = pid();
    await g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 60, at });
    await g.release(id);
    await g.release(id);
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(0);
    // The daily slot (limit 1) is free again, and the budget too.
    await g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 100, at });
  });

  it('keeps the money on commit, twice is harmless, and a later release does not give it back', async () => {
    const g = guard();
    const at = freshMonth();
    const id = pid();
    await g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 40, at });
    await g.commit(id);
    await g.commit(id);
    await g.release(id);
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(40);
  });

  it('keeps the counters a fixed size: 300 committed purchases leave no attribute behind, only the totals', async () => {
    const g = guard({ cocalc: 1_000_000, interserver: 50 }, 100_000);
    const at = freshMonth();
    const sizeOf = async (key: Record<string, string>) =>
      JSON.stringify((await doc.send(new GetCommand({ TableName: db.stateTable, Key: key, ConsistentRead: true }))).Item ?? {}).length;
    const month = { pk: `BUDGET#cocalc#${utcMonth(at)}`, sk: 'BUDGET' };
    const day = { pk: `DAILY#${utcDay(at)}`, sk: 'DAILY' };
    const ids = Array.from({ length: 300 }, pid);
    const inFlight = ids.slice(0, 3);
    for (const id of ids) await g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 1.25, at });
    const whileReserved = await sizeOf(month);
    for (const id of ids.slice(3)) await g.commit(id);
    // The total still holds every purchase; only the three in flight are named, and they can still be released.
    expect(await g.remaining('cocalc', at)).toMatchObject({ reservedUsd: 375 });
    const item = (await doc.send(new GetCommand({ TableName: db.stateTable, Key: month, ConsistentRead: true }))).Item!;
    expect(
      Object.keys(item)
        .filter((k) => k.startsWith('p_'))
        .sort(),
    ).toEqual(inFlight.map((id) => `p_${id}`).sort());
    expect(await sizeOf(month)).toBeLessThan(whileReserved / 50);
    expect(await sizeOf(day)).toBeLessThan(1000);
    await g.release(inFlight[0]!);
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(373.75);
  });

  it('refuses to commit a released reservation or to reserve again after release', async () => {
    const g = guard();
    const at = freshMonth();
    const id = pid();
    await g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 5, at });
    await g.release(id);
    await expect(g.commit(id)).rejects.toBeInstanceOf(ReservationStateError);
    await expect(g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 5, at })).rejects.toBeInstanceOf(ReservationStateError);
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(0);
  });

  it('adjusts a reservation up within the cap and down, and refuses to go over the cap', async () => {
    const g = guard({ cocalc: 100, interserver: 50 });
    const at = freshMonth();
    const id = pid();
    await g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 30, at });
    await g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 50, at });
    expect(await g.adjust(id, 45.5)).toMatchObject({ amountUsd: 45.5, month: utcMonth(at) });
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(95.5);
    await expect(g.adjust(id, 50.01)).rejects.toBeInstanceOf(BudgetExceededError);
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(95.5);
    await g.adjust(id, 10);
    await g.adjust(id, 10); // retried: harmless
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(60);
    await g.release(id);
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(50);
  });

  it('never lets concurrent upward adjustments take the total over the cap', async () => {
    const g = guard({ cocalc: 100, interserver: 50 });
    const at = freshMonth();
    const ids = Array.from({ length: 10 }, pid);
    for (const id of ids) await g.reserve({ purchaseId: id, vendor: 'cocalc', amountUsd: 5, at });
    const results = await Promise.allSettled(ids.map((id) => g.adjust(id, 15)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5); // 5×15 + 5×5 = 100
    expect((await g.remaining('cocalc', at)).reservedUsd).toBe(100);
  });

  it('refuses to adjust a reservation that does not exist', async () => {
    await expect(guard().adjust(pid(), 1)).rejects.toBeInstanceOf(ReservationStateError);
  });

  it('keeps vendors and months apart', async () => {
    const g = guard({ cocalc: 10, interserver: 10 });
    const jan = new Date('2033-01-31T23:59:59Z');
    const feb = new Date('2033-02-01T00:00:00Z');
    await g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 10, at: jan });
    await g.reserve({ purchaseId: pid(), vendor: 'interserver', amountUsd: 10, at: jan });
    await g.reserve({ purchaseId: pid(), vendor: 'cocalc', amountUsd: 10, at: feb });
    expect(await g.remaining('cocalc', jan)).toMatchObject({ remainingUsd: 0 });
    expect(await g.remaining('cocalc', feb)).toMatchObject({ remainingUsd: 0 });
  });
});
