import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoRateSlots } from '../../lambdas/adapters/aws/dynamo-rate-slots';
import { RateSlotsContendedError, earliestSlot } from '../../lambdas/core/rate-slots';
import { COCALC_CART_ADD_LIMITS } from '../../lambdas/vendors/cocalc/core/add-limits';
import { AddThrottle } from '../../lib/local/sandboxes/cocalc/throttle';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

const T0 = 1_700_000_000_000;

/** Claims at exactly the `now` they are given: time stands still while a test's claim writes. */
const FROZEN = { clock: () => 0 };
/** CoCalc's add limits, the ledger's one real use (composition: vendors/cocalc/composition/cart-add.ts). */
const CART = { limits: COCALC_CART_ADD_LIMITS };

describe('DynamoRateSlots', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = DynamoDBDocumentClient.from(db.client);
  });
  afterAll(async () => db.close());

  const item = async (key: string) =>
    (await doc.send(new GetCommand({ TableName: db.stateTable, Key: { pk: `SLOTS#${key}`, sk: 'SLOTS' } }))).Item as
      | { slots: { at: number; holder: string; sentAt?: number; settledAt?: number }[]; version: number }
      | undefined;

  /** A client of its own, as a separate Lambda would have. */
  const separateClient = () =>
    new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });

  it('gives 40 concurrent reservations from separate clients 40 slots the vendor accepts', async () => {
    const clients = Array.from({ length: 40 }, separateClient);
    try {
      const got = await Promise.all(
        clients.map((c, i) => new DynamoRateSlots(DynamoDBDocumentClient.from(c), db.stateTable, CART).reserve('burst', `pur-${i}`, T0)),
      );

      // The same schedule as 40 reservations one after another: nobody's write was lost.
      const sequential: number[] = [];
      for (let i = 0; i < 40; i++) sequential.push(earliestSlot(sequential, T0, COCALC_CART_ADD_LIMITS, 100));
      expect(got.map((g) => g.at).sort((a, b) => a - b)).toEqual(sequential);

      const stored = await item('burst');
      expect(stored!.slots).toHaveLength(40);
      expect(new Set(stored!.slots.map((s) => s.holder)).size).toBe(40);
      for (let i = 0; i < 40; i++) expect(stored!.slots.find((s) => s.holder === `pur-${i}`)!.at).toBe(got[i]!.at);

      // Sent at their slots, each up to the 100 ms margin late, the vendor's throttle refuses none.
      for (const late of [() => 0, () => 100, () => Math.floor(Math.random() * 101)]) {
        const throttle = new AddThrottle();
        for (const a of got.map((g) => g.at + late()).sort((x, y) => x - y)) {
          expect(() => throttle.check('acct', 'shopping/cart/add', a)).not.toThrow();
        }
      }
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('returns the same slot to a holder that reserves again (a retried Lambda)', async () => {
    const slots = new DynamoRateSlots(doc, db.stateTable, CART);
    for (const h of ['a', 'b', 'c']) await slots.reserve('idem', h, T0);
    const first = await slots.reserve('idem', 'd', T0);
    expect(first.at).toBe(T0 + 1_101);
    expect(await slots.reserve('idem', 'd', T0 + 500)).toEqual(first);
    expect((await item('idem'))!.slots.filter((s) => s.holder === 'd')).toHaveLength(1);
  });

  it('gives a released slot to the next reservation', async () => {
    const slots = new DynamoRateSlots(doc, db.stateTable, CART);
    for (const h of ['a', 'b', 'c']) expect((await slots.reserve('rel', h, T0)).at).toBe(T0);
    await slots.release('rel', 'b');
    await slots.release('rel', 'nobody'); // no-op
    expect((await slots.reserve('rel', 'd', T0)).at).toBe(T0);
    expect((await item('rel'))!.slots.map((s) => s.holder).sort()).toEqual(['a', 'c', 'd']);
  });

  it('grants claims the vendor accepts, counts them from then on, and tells the others exactly when to come back', async () => {
    const slots = new DynamoRateSlots(doc, db.stateTable, { ...CART, ...FROZEN });
    for (const h of ['a', 'b', 'c']) await slots.reserve('used', h, T0);
    for (const h of ['a', 'b', 'c']) expect(await slots.claim('used', h, T0)).toEqual({ sent: true });
    // Three adds in flight: unanswered, each may reach CoCalc up to 20 s after its claim; answers may allow sooner.
    expect(await slots.claim('used', 'd', T0)).toMatchObject({ sent: false, retryAt: T0 + 21_001, provisional: true });
    for (const h of ['a', 'b', 'c']) await slots.settle('used', h, T0 + 30);
    // Answered at +30 ms: they reached CoCalc no later, so one past +1,030 ms is safe.
    expect(await slots.claim('used', 'd', T0 + 1_030)).toEqual({ sent: false, retryAt: T0 + 1_031, provisional: false });
    expect(await slots.claim('used', 'd', T0 + 1_031)).toEqual({ sent: true });

    const stored = (await item('used'))!.slots;
    expect(stored).toContainEqual({ at: T0, holder: 'used:a', sentAt: T0, settledAt: T0 + 30 });
    expect(stored).toContainEqual({ at: T0 + 1_031, holder: 'used:d', sentAt: T0 + 1_031 });
    expect(stored.filter((s) => !s.holder.startsWith('used:'))).toEqual([]);

    // A holder's next call is a new reservation; a release gives back only that. The schedule goes
    // by the answers as the claim does: a, b and c answered at +30 leave the second's window one
    // past +1,030 (no margin on top), and d, claimed at +1,031, is a fourth call only from then on.
    expect((await slots.reserve('used', 'a', T0 + 1_031)).at).toBe(T0 + 1_031);
    await slots.release('used', 'a');
    expect((await item('used'))!.slots).toHaveLength(4);
    await slots.settle('used', 'nobody', T0 + 2_000); // no-op
    expect((await item('used'))!.slots).toHaveLength(4);
  });

  it('serializes claims made at once from separate clients: exactly the three the second allows are granted', async () => {
    const clients = Array.from({ length: 6 }, separateClient);
    try {
      const claims = await Promise.all(
        clients.map((c, i) => new DynamoRateSlots(DynamoDBDocumentClient.from(c), db.stateTable, CART).claim('race', `pur-${i}`, T0)),
      );
      expect(claims.filter((c) => c.sent)).toHaveLength(3);
      for (const c of claims.filter((c) => !c.sent)) expect(c).toMatchObject({ sent: false, provisional: true });
      expect((await item('race'))!.slots.filter((s) => s.holder.startsWith('used:'))).toHaveLength(3);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('records a claim at the time of its write, not of its call: a claim slowed by lost writes is checked and counted later', async () => {
    const ticks = [0, 700]; // the claim starts, then its (first) read-check-write runs 700 ms later
    const slots = new DynamoRateSlots(doc, db.stateTable, { ...CART, clock: () => ticks.shift() ?? 700 });
    expect(await slots.claim('slow', 'a', T0)).toEqual({ sent: true });
    expect((await item('slow'))!.slots).toEqual([{ at: T0 + 700, holder: 'used:a', sentAt: T0 + 700 }]);
  });

  it('claims and settles concurrently with a storm of reservations from separate clients, losing no write', async () => {
    const clients = Array.from({ length: 23 }, separateClient);
    try {
      const on = (i: number) => new DynamoRateSlots(DynamoDBDocumentClient.from(clients[i]!), db.stateTable, CART);
      for (const h of ['a', 'b', 'c']) await on(0).reserve('storm', h, T0);
      await Promise.all([
        ...['a', 'b', 'c'].map(async (h, i) => {
          await on(i).claim('storm', h, T0);
          await on(i).settle('storm', h, T0 + 20);
        }),
        ...Array.from({ length: 20 }, (_, i) => on(i + 3).reserve('storm', `r${i}`, T0)),
      ]);
      const stored = (await item('storm'))!;
      expect(
        stored.slots
          .filter((s) => s.holder.startsWith('used:'))
          .map((s) => [s.holder, s.settledAt])
          .sort(),
      ).toEqual([
        ['used:a', T0 + 20],
        ['used:b', T0 + 20],
        ['used:c', T0 + 20],
      ]);
      expect(stored.slots.filter((s) => s.holder.startsWith('r'))).toHaveLength(20);
      // 3 reservations, 3 claims, 3 settles, 20 reservations: every change bumped the version once.
      expect(stored.version).toBe(29);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('settles by a full re-read when the list moved between its read and its update', async () => {
    const slots = new DynamoRateSlots(doc, db.stateTable, { ...CART, ...FROZEN });
    for (const h of ['x', 'y', 'z']) await slots.reserve('moved', h, T0);
    await slots.claim('moved', 'z', T0);
    // Another writer drops 'x' (a release) right after settle read the list: 'used:z' moves from index 2 to 1.
    const racing = new DynamoRateSlots(doc, db.stateTable, CART);
    const send = doc.send.bind(doc);
    let raced = false;
    const spy = Object.assign(Object.create(doc) as DynamoDBDocumentClient, {
      send: async (cmd: Parameters<typeof send>[0]) => {
        if (!raced && cmd.constructor.name === 'UpdateCommand') {
          raced = true;
          await racing.release('moved', 'x');
        }
        return send(cmd);
      },
    });
    await new DynamoRateSlots(spy, db.stateTable, CART).settle('moved', 'z', T0 + 40);
    expect(raced).toBe(true);
    const stored = (await item('moved'))!.slots;
    expect(stored).toEqual([
      { at: T0, holder: 'y' },
      { at: T0, holder: 'used:z', sentAt: T0, settledAt: T0 + 40 },
    ]);
  });

  it('gives a pending slot long past no place in the schedule (its holder missed it), yet returns it to its holder', async () => {
    const slots = new DynamoRateSlots(doc, db.stateTable, { limits: [{ max: 3, windowMs: 60_000 }], stalePendingMs: 10_000 });
    for (const h of ['a', 'b', 'c']) await slots.reserve('stale', h, T0);
    // 9 s later the three are still due (their holders may be rechecking a busy lock): they count.
    expect((await slots.reserve('stale', 'd', T0 + 9_000)).at).toBe(T0 + 60_101);
    await slots.release('stale', 'd');
    // 11 s later they were missed: a new reservation may go now (the claim checks what was sent).
    expect((await slots.reserve('stale', 'e', T0 + 11_000)).at).toBe(T0 + 11_000);
    expect((await slots.reserve('stale', 'a', T0 + 11_000)).at).toBe(T0);
  });

  it('uses the limits, margin and in-flight bound it is given', async () => {
    const slots = new DynamoRateSlots(doc, db.stateTable, { limits: [{ max: 1, windowMs: 100 }], marginMs: 10, inFlightMs: 50, ...FROZEN });
    expect((await slots.reserve('opts', 'a', T0)).at).toBe(T0);
    expect((await slots.reserve('opts', 'b', T0)).at).toBe(T0 + 111);
    expect(await slots.claim('opts', 'a', T0)).toEqual({ sent: true });
    expect(await slots.claim('opts', 'b', T0 + 111)).toEqual({ sent: false, retryAt: T0 + 151, provisional: false });
  });

  it('stays under a fixed size after 1,000 adds with an advancing clock', async () => {
    const slots = new DynamoRateSlots(doc, db.stateTable, { ...CART, ...FROZEN });
    let now = T0;
    let most = 0;
    for (let i = 0; i < 1_000; i++) {
      // Each caller arrives when the previous slot is due and sends at once, answered 20 ms later:
      // the account's add limit, saturated. Holders as long as real ones (pur-<32 hex>).
      const holder = `pur-${i.toString(16).padStart(32, '0')}`;
      const { at } = await slots.reserve('size', holder, now);
      now = at;
      expect(await slots.claim('size', holder, now)).toEqual({ sent: true });
      await slots.settle('size', holder, now + 20);
      if (i % 50 === 49) most = Math.max(most, (await item('size'))!.slots.length);
    }
    const stored = (await item('size'))!;
    expect(now - T0).toBeGreaterThan(4 * 3_600_000); // 1,000 adds at 200 an hour span hours
    // The hour's 200, those of the margin's 100 ms kept past it (the second's limit: 3) and the newest.
    expect(most).toBeLessThanOrEqual(204);
    expect(JSON.stringify(stored).length).toBeLessThan(40_000); // DynamoDB's item limit is 400 KB
  }, 180_000);

  it('gives up with RateSlotsContendedError after its attempts, having changed nothing', async () => {
    const clients = Array.from({ length: 10 }, separateClient);
    try {
      const results = await Promise.allSettled(
        clients.map((c, i) => new DynamoRateSlots(DynamoDBDocumentClient.from(c), db.stateTable, { ...CART, maxAttempts: 1 }).reserve('busy', `pur-${i}`, T0)),
      );
      const lost = results.filter((r) => r.status === 'rejected');
      expect(lost.length).toBeGreaterThan(0);
      for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RateSlotsContendedError);
      expect((await item('busy'))!.slots).toHaveLength(results.length - lost.length);
    } finally {
      for (const c of clients) c.destroy();
    }
  });
});
