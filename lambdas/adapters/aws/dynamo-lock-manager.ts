import { randomUUID } from 'node:crypto';
import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LockBusyError } from '../../core/errors';
import type { LockManager, LockMode } from '../../core/ports';
import { STATE_TABLE } from '../../shared/table-keys';
import { whenConditionHolds } from './conditional-check';

/** Options for {@link DynamoLockManager}. */
export interface DynamoLockManagerOptions {
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * {@link LockManager} as leases on one item, LOCK#<name>, each taken or given back by one
 * conditional write (expiry is checked in the conditions, never left to DynamoDB TTL, which is late
 * by hours and absent in dynalite; `ttl` only tidies up):
 *
 * - **Exclusive** (`holder`, `token`, `expiresAt`): taken when no live exclusive lease exists (none,
 *   expired, or the same holder's: a retried Lambda resumes) and no live shared lease
 *   (`sharedCount` 0, or every shared lease expired: `sharedUntil` is the latest shared expiry).
 *   Taking it zeroes the shared count and starts a new `sharedEpoch`, so shared holders that died
 *   uncounted are forgotten and their late releases change nothing. Released by deleting the item
 *   with the lease's own token, so a holder whose lease expired and was taken over never removes
 *   the new lock.
 * - **Shared** (`sh_<holder>` = its expiry, `she_<holder>` = the epoch it counted in, `sharedCount`):
 *   taken while no live exclusive lease exists (an expired one is removed in the same write, so its
 *   late release finds no token); any number at once. A holder with a live counted lease takes it
 *   again without counting twice. Released by removing its entry and counting down, only if the
 *   entry is the one it wrote in the current epoch.
 *
 * `ttlMs` must exceed the longest time `fn` can run (the Lambda timeout), or a second holder may
 * enter while the first is still working.
 */
export class DynamoLockManager implements LockManager {
  private readonly clock: () => number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoLockManagerOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async withLock<T>(name: string, holder: string, ttlMs: number, fn: () => Promise<T>, mode: LockMode = 'exclusive'): Promise<T> {
    if (mode === 'shared') {
      const expiresAt = await this.acquireShared(name, holder, ttlMs);
      try {
        return await fn();
      } finally {
        await this.releaseShared(name, holder, expiresAt);
      }
    }
    const token = await this.acquire(name, holder, ttlMs);
    try {
      return await fn();
    } finally {
      await this.release(name, token);
    }
  }

  async hold(name: string, holder: string, ttlMs: number): Promise<void> {
    await this.acquire(name, holder, ttlMs);
  }

  /**
   * One conditional write. A busy lock is LockBusyError at once: nothing waits inside a Lambda; the
   * state machine waits and calls again (lib/constructs/purchase-state-machine.ts LOCK_BUSY).
   */
  private async acquire(name: string, holder: string, ttlMs: number): Promise<string> {
    const token = randomUUID();
    const now = this.clock();
    const taken = await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: lockKey(name),
        UpdateExpression:
          'SET holder = :holder, #token = :token, acquiredAt = :at, expiresAt = :exp, #ttl = :ttl, sharedCount = :zero, sharedEpoch = if_not_exists(sharedEpoch, :zero) + :one',
        ConditionExpression:
          '(attribute_not_exists(expiresAt) OR expiresAt < :now OR holder = :holder) AND (attribute_not_exists(sharedCount) OR sharedCount <= :zero OR sharedUntil < :now)',
        ExpressionAttributeNames: { '#token': 'token', '#ttl': STATE_TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':holder': holder,
          ':token': token,
          ':at': new Date(now).toISOString(),
          ':exp': now + ttlMs,
          ':ttl': tidyAfter(now + ttlMs),
          ':now': now,
          ':zero': 0,
          ':one': 1,
        },
      }),
    );
    if (!taken) throw new LockBusyError(`lock ${name} is held by another purchase; try again later`);
    return token;
  }

  private async release(name: string, token: string): Promise<void> {
    // Someone else holds it now (our lease expired): theirs to release, not ours.
    await this.conditional(
      new DeleteCommand({
        TableName: this.tableName,
        Key: lockKey(name),
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':token': token },
      }),
    );
  }

  /**
   * A shared lease: counted once per holder; its expiry (what its release must find) is returned.
   * `sharedUntil` only ever grows: the write that counts (or renews) the lease raises it to this
   * lease's expiry when it is lower, and leaves it when it is already later, each in one atomic
   * write, so an exclusive holder never finds every shared lease expired while one is live.
   */
  private async acquireShared(name: string, holder: string, ttlMs: number): Promise<number> {
    const now = this.clock();
    const expiresAt = now + ttlMs;
    const noLiveExclusive = '(attribute_not_exists(expiresAt) OR expiresAt < :now)';
    const ways = [
      // Counted now: a new holder, or one whose earlier lease expired or belongs to an old epoch.
      {
        set: '#she = if_not_exists(sharedEpoch, :zero), sharedEpoch = if_not_exists(sharedEpoch, :zero), ',
        add: ' ADD sharedCount :one',
        when: '(attribute_not_exists(#sh) OR #she <> sharedEpoch OR #sh < :now)',
      },
      // Our own live lease, counted in this epoch (a retried Lambda): renewed, not counted again.
      { set: '', add: '', when: 'attribute_exists(#sh) AND #she = sharedEpoch' },
    ];
    for (const way of ways) {
      for (const raise of [true, false]) {
        const applied = await this.conditional(
          new UpdateCommand({
            TableName: this.tableName,
            Key: lockKey(name),
            UpdateExpression: `SET #sh = :exp, ${way.set}${raise ? 'sharedUntil = :exp, ' : ''}#ttl = :ttl REMOVE holder, #token, acquiredAt, expiresAt${way.add}`,
            ConditionExpression: `${noLiveExclusive} AND ${way.when} AND ${raise ? '(attribute_not_exists(sharedUntil) OR sharedUntil <= :exp)' : 'sharedUntil > :exp'}`,
            ExpressionAttributeNames: { '#sh': `sh_${holder}`, '#she': `she_${holder}`, '#token': 'token', '#ttl': STATE_TABLE.ttlAttribute },
            ExpressionAttributeValues: {
              ':exp': expiresAt,
              ':ttl': tidyAfter(expiresAt),
              ':now': now,
              ...(way.add ? { ':one': 1 } : {}),
              ...(way.set ? { ':zero': 0 } : {}),
            },
          }),
        );
        if (applied) return expiresAt;
      }
    }
    throw new LockBusyError(`lock ${name} is held by another purchase; try again later`);
  }

  private async releaseShared(name: string, holder: string, expiresAt: number): Promise<void> {
    // Not ours any more (expired and forgotten by an exclusive holder): nothing to count down.
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: lockKey(name),
        UpdateExpression: 'REMOVE #sh, #she ADD sharedCount :minusOne',
        ConditionExpression: '#sh = :exp AND #she = sharedEpoch',
        ExpressionAttributeNames: { '#sh': `sh_${holder}`, '#she': `she_${holder}` },
        ExpressionAttributeValues: { ':exp': expiresAt, ':minusOne': -1 },
      }),
    );
  }

  /** Sends a conditional write: true when it applied, false when its condition failed. */
  private async conditional(command: UpdateCommand | DeleteCommand): Promise<boolean> {
    return (await whenConditionHolds(this.doc.send(command as UpdateCommand))) !== undefined;
  }
}

/** The TTL attribute's value: a day past the lease, so DynamoDB tidies only long-dead items. */
function tidyAfter(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / 1000) + 86_400;
}

function lockKey(name: string): Record<string, string> {
  return { [STATE_TABLE.partitionKey]: `LOCK#${name}`, [STATE_TABLE.sortKey]: 'LOCK' };
}
