import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoLockManager } from '../../lambdas/adapters/aws/dynamo-lock-manager';
import { LockBusyError } from '../../lambdas/core/errors';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

/** Runs `run` until the lock is free, the way the state machine's Retry does (here without its wait). */
async function untilFree(run: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof LockBusyError)) throw err;
      await new Promise((r) => setTimeout(r, 3 + Math.random() * 5));
    }
  }
}

describe('DynamoLockManager', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = DynamoDBDocumentClient.from(db.client);
  });
  afterAll(async () => db.close());

  const lockItem = async (name: string) => (await doc.send(new GetCommand({ TableName: db.stateTable, Key: { pk: `LOCK#${name}`, sk: 'LOCK' } }))).Item;

  /** A holder's function: `run` is what withLock calls (it resolves `entered` at once, then waits for `release`). */
  const hold = () => {
    let release!: () => void;
    let enter!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const entered = new Promise<void>((r) => (enter = r));
    const run = () => {
      enter();
      return gate;
    };
    return { release, run, entered };
  };

  it('runs the function under the lock and removes the lock afterwards', async () => {
    const locks = new DynamoLockManager(doc, db.stateTable);
    const seen = await locks.withLock('a', 'pur-1', 10_000, async () => (await lockItem('a'))?.holder);
    expect(seen).toBe('pur-1');
    expect(await lockItem('a')).toBeUndefined();
  });

  it('refuses a second holder while the lease is live', async () => {
    const locks = new DynamoLockManager(doc, db.stateTable);
    const first = hold();
    const held = locks.withLock('b', 'pur-1', 10_000, first.run);
    await first.entered;
    await expect(locks.withLock('b', 'pur-2', 10_000, async () => 'ran')).rejects.toBeInstanceOf(LockBusyError);
    first.release();
    await held;
    expect(await locks.withLock('b', 'pur-2', 10_000, async () => 'ran')).toBe('ran');
  });

  it('never lets two of many concurrent holders inside at once', async () => {
    const locks = new DynamoLockManager(doc, db.stateTable);
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        untilFree(() =>
          locks.withLock('c', `pur-${i}`, 10_000, async () => {
            inside += 1;
            most = Math.max(most, inside);
            await new Promise((r) => setTimeout(r, 10));
            inside -= 1;
          }),
        ),
      ),
    );
    expect(most).toBe(1);
  });

  it('lets a new holder take an expired lease, and the old holder then cannot remove the new lock', async () => {
    let now = 1_000_000;
    const locks = new DynamoLockManager(doc, db.stateTable, { clock: () => now });
    await locks.withLock('d', 'pur-1', 1_000, async () => {
      now += 5_000; // pur-1 stalls past its lease
      await locks.withLock('d', 'pur-2', 60_000, async () => {
        expect((await lockItem('d'))?.holder).toBe('pur-2');
      });
      await expect(locks.withLock('d', 'pur-3', 1_000, async () => 'x')).resolves.toBe('x');
    });
    expect(await lockItem('d')).toBeUndefined();
  });

  it('lets the same holder take its own lock again (a retried Lambda resumes)', async () => {
    const locks = new DynamoLockManager(doc, db.stateTable);
    await locks.withLock('e', 'pur-1', 60_000, async () => {
      await expect(locks.withLock('e', 'pur-1', 60_000, async () => 'again')).resolves.toBe('again');
    });
  });

  it('releases the lock when the function throws', async () => {
    const locks = new DynamoLockManager(doc, db.stateTable);
    await expect(
      locks.withLock('f', 'pur-1', 60_000, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await lockItem('f')).toBeUndefined();
  });

  describe('shared leases (CoCalc adds) beside exclusive ones (checkouts)', () => {
    it('lets shared holders in together, keeps an exclusive one out until the last leaves, and the reverse', async () => {
      const locks = new DynamoLockManager(doc, db.stateTable);
      const a = hold();
      const b = hold();
      const inA = locks.withLock('s1', 'pur-a', 10_000, a.run, 'shared');
      const inB = locks.withLock('s1', 'pur-b', 10_000, b.run, 'shared');
      await Promise.all([a.entered, b.entered]);
      expect((await lockItem('s1'))?.sharedCount).toBe(2);
      await expect(locks.withLock('s1', 'pur-x', 10_000, async () => 'x')).rejects.toBeInstanceOf(LockBusyError);
      a.release();
      await inA;
      await expect(locks.withLock('s1', 'pur-x', 10_000, async () => 'x')).rejects.toBeInstanceOf(LockBusyError);
      b.release();
      await inB;

      const x = hold();
      const inX = locks.withLock('s1', 'pur-x', 10_000, x.run);
      await x.entered;
      await expect(locks.withLock('s1', 'pur-c', 10_000, async () => 'c', 'shared')).rejects.toBeInstanceOf(LockBusyError);
      x.release();
      await inX;
      expect(await lockItem('s1')).toBeUndefined();
      await expect(locks.withLock('s1', 'pur-c', 10_000, async () => 'c', 'shared')).resolves.toBe('c');
    });

    it('forgets a shared holder that died once its lease expires, and its late release cannot let an exclusive holder in beside a live one', async () => {
      let now = 5_000_000;
      const locks = new DynamoLockManager(doc, db.stateTable, { clock: () => now });
      let lateRelease!: () => Promise<void>;
      // pur-dead takes a shared lease and stalls past it (its release comes much later).
      const dead = hold();
      const inDead = locks.withLock('s2', 'pur-dead', 1_000, dead.run, 'shared');
      lateRelease = async () => {
        dead.release();
        await inDead;
      };
      await dead.entered;
      await expect(locks.withLock('s2', 'pur-x', 10_000, async () => 'x')).rejects.toBeInstanceOf(LockBusyError);
      now += 5_000;
      await expect(locks.withLock('s2', 'pur-x', 10_000, async () => 'x')).resolves.toBe('x');

      const live = hold();
      const inLive = locks.withLock('s2', 'pur-live', 10_000, live.run, 'shared');
      await live.entered;
      await lateRelease();
      expect((await lockItem('s2'))?.sharedCount).toBe(1);
      await expect(locks.withLock('s2', 'pur-y', 10_000, async () => 'y')).rejects.toBeInstanceOf(LockBusyError);
      live.release();
      await inLive;
      await expect(locks.withLock('s2', 'pur-y', 10_000, async () => 'y')).resolves.toBe('y');
    });

    it('lets shared holders take a lease over an expired exclusive one, whose late release then removes nothing', async () => {
      let now = 9_000_000;
      const locks = new DynamoLockManager(doc, db.stateTable, { clock: () => now });
      const stalled = hold();
      const inStalled = locks.withLock('s3', 'pur-stalled', 1_000, stalled.run);
      await stalled.entered;
      await expect(locks.withLock('s3', 'pur-a', 10_000, async () => 'a', 'shared')).rejects.toBeInstanceOf(LockBusyError);
      now += 5_000;
      const a = hold();
      const inA = locks.withLock('s3', 'pur-a', 10_000, a.run, 'shared');
      await a.entered;
      stalled.release();
      await inStalled;
      expect((await lockItem('s3'))?.sharedCount).toBe(1);
      await expect(locks.withLock('s3', 'pur-x', 10_000, async () => 'x')).rejects.toBeInstanceOf(LockBusyError);
      a.release();
      await inA;
    });

    it('keeps an exclusive holder out while the longest shared lease lives, whatever order shorter ones came in', async () => {
      let now = 20_000_000;
      const locks = new DynamoLockManager(doc, db.stateTable, { clock: () => now });
      const long = hold();
      const short = hold();
      const inLong = locks.withLock('s6', 'pur-long', 60_000, long.run, 'shared');
      await long.entered;
      const inShort = locks.withLock('s6', 'pur-short', 1_000, short.run, 'shared');
      await short.entered;
      expect((await lockItem('s6'))?.sharedUntil).toBe(20_000_000 + 60_000);
      now += 5_000; // the short lease expired (its holder died); the long one lives
      await expect(locks.withLock('s6', 'pur-x', 10_000, async () => 'x')).rejects.toBeInstanceOf(LockBusyError);
      long.release();
      short.release();
      await Promise.all([inLong, inShort]);
    });

    it('counts a retried holder once: its one release lets an exclusive holder in', async () => {
      const locks = new DynamoLockManager(doc, db.stateTable);
      const first = hold();
      // The first invocation dies holding its lease (its release never runs); the retry takes it again.
      void locks.withLock('s4', 'pur-r', 60_000, first.run, 'shared');
      await first.entered;
      await locks.withLock('s4', 'pur-r', 60_000, async () => expect((await lockItem('s4'))?.sharedCount).toBe(1), 'shared');
      expect((await lockItem('s4'))?.sharedCount).toBe(0);
      await expect(locks.withLock('s4', 'pur-x', 10_000, async () => 'x')).resolves.toBe('x');
    });

    it('never lets an exclusive holder in beside anyone, among many concurrent holders of both kinds', async () => {
      const locks = new DynamoLockManager(doc, db.stateTable);
      let shared = 0;
      let exclusive = 0;
      let mostShared = 0;
      const violations: string[] = [];
      await Promise.all(
        Array.from({ length: 24 }, (_, i) => {
          const mode = i % 3 === 0 ? 'exclusive' : 'shared';
          return untilFree(() =>
            locks.withLock(
              's5',
              `pur-${i}`,
              10_000,
              async () => {
                if (mode === 'exclusive') exclusive += 1;
                else shared += 1;
                mostShared = Math.max(mostShared, shared);
                if (exclusive > 1 || (exclusive === 1 && shared > 0)) violations.push(`${exclusive} exclusive with ${shared} shared`);
                await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
                if (mode === 'exclusive') exclusive -= 1;
                else shared -= 1;
              },
              mode,
            ),
          );
        }),
      );
      expect(violations).toEqual([]);
      expect(mostShared).toBeGreaterThan(1);
      expect((await lockItem('s5'))?.sharedCount ?? 0).toBe(0);
    });
  });
});
