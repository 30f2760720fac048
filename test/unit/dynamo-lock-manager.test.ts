import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoLockManager } from '../../lambdas/adapters/aws/dynamo-lock-manager';
import { LockBusyError } from '../../lambdas/core/errors';
import { startLocalDynamo, type LocalDynamo } from '../support/local-dynamo';

describe('DynamoLockManager', () => {
  let db: LocalDynamo;
  let doc: DynamoDBDocumentClient;
  beforeAll(async () => {
    db = await startLocalDynamo();
    doc = DynamoDBDocumentClient.from(db.client);
  });
  afterAll(async () => db.close());

  const lockItem = async (name: string) =>
    (await doc.send(new GetCommand({ TableName: db.stateTable, Key: { pk: `LOCK#${name}`, sk: 'LOCK' } }))).Item;

  it('runs the function under the lock and removes the lock afterwards', async () => {
    const locks = new DynamoLockManager(doc, db.stateTable);
    const seen = await locks.withLock('a', 'pur-1', 10_000, async () => (await lockItem('a'))?.holder);
    expect(seen).toBe('pur-1');
    expect(await lockItem('a')).toBeUndefined();
  });

  it('refuses a second holder while the lease is live', async () => {
    const locks = new DynamoLockManager(doc, db.stateTable);
    let release!: () => void;
    const held = locks.withLock('b', 'pur-1', 10_000, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    await expect(locks.withLock('b', 'pur-2', 10_000, async () => 'ran')).rejects.toBeInstanceOf(LockBusyError);
    release();
    await held;
    expect(await locks.withLock('b', 'pur-2', 10_000, async () => 'ran')).toBe('ran');
  });

  it('never lets two of many concurrent holders inside at once', async () => {
    const locks = new DynamoLockManager(doc, db.stateTable);
    let inside = 0;
    let most = 0;
    // Each holder retries a busy lock the way the state machine's Retry does (here without the wait).
    const untilFree = async (run: () => Promise<void>): Promise<void> => {
      for (;;) {
        try {
          return await run();
        } catch (err) {
          if (!(err instanceof LockBusyError)) throw err;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
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
});
