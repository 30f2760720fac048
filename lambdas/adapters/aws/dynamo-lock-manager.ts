import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LockBusyError } from '../../core/errors';
import type { LockManager } from '../../core/ports';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';

/** Options for {@link DynamoLockManager}. */
export interface DynamoLockManagerOptions {
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * {@link LockManager} as a lease on LOCK#<name>: a conditional put that succeeds when nobody holds
 * the lock, the lease has expired (a crashed holder cannot block for ever), or the same holder
 * takes it again (a retried Lambda resumes instead of waiting out its own lease). Each acquisition
 * writes a fresh token and release deletes only with that token, so a holder whose lease expired
 * and was taken over never removes the new holder's lock. Expiry is checked in code, never left
 * to DynamoDB TTL (which is late by hours, and absent in dynalite); `ttl` only tidies up.
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

  async withLock<T>(name: string, holder: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const token = await this.acquire(name, holder, ttlMs);
    try {
      return await fn();
    } finally {
      await this.release(name, token);
    }
  }

  /**
   * One conditional put. A busy lock is LockBusyError at once: nothing waits inside a Lambda; the
   * state machine's Retry waits and calls again (lib/constructs/purchase-state-machine.ts LOCK_BUSY).
   */
  private async acquire(name: string, holder: string, ttlMs: number): Promise<string> {
    const token = randomUUID();
    const now = this.clock();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...lockKey(name),
            holder,
            token,
            acquiredAt: new Date(now).toISOString(),
            expiresAt: now + ttlMs,
            [STATE_TABLE.ttlAttribute]: Math.ceil((now + ttlMs) / 1000) + 86_400,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR expiresAt < :now OR holder = :holder',
          ExpressionAttributeNames: { '#pk': STATE_TABLE.partitionKey },
          ExpressionAttributeValues: { ':now': now, ':holder': holder },
        }),
      );
      return token;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      throw new LockBusyError(`lock ${name} is held by another purchase; try again later`);
    }
  }

  private async release(name: string, token: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: lockKey(name),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (err) {
      // Someone else holds it now (our lease expired): theirs to release, not ours.
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }
}

function lockKey(name: string): Record<string, string> {
  return { [STATE_TABLE.partitionKey]: `LOCK#${name}`, [STATE_TABLE.sortKey]: 'LOCK' };
}
