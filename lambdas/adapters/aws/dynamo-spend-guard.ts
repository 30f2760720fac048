import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BudgetExceededError, DailyLimitExceededError, ProcureError } from '../../core/errors';
import { formatUsd, fromCents, toCents } from '../../core/money';
import type { SpendGuard } from '../../core/ports';
import type { Vendor } from '../../core/purchase-request';
import type { Reservation } from '../../core/workflow';
import type { BudgetConfig } from '../../shared/config';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';

const PK = STATE_TABLE.partitionKey;
const SK = STATE_TABLE.sortKey;

/**
 * {@link SpendGuard} on the state table, without transactions (dynalite has none, and a
 * transaction would not make the steps below any safer):
 *
 * 1. RESERVATION#<purchaseId> is put conditionally with status RESERVING: one record per purchase,
 *    so a repeated reserve resumes or returns the first one instead of reserving again.
 * 2. BUDGET#<vendor>#<YYYY-MM> gets `ADD reservedCents` with the condition that the new total stays
 *    within the cap, and records the purchase's own amount as attribute `p_<purchaseId>`.
 * 3. DAILY#<YYYY-MM-DD> does the same with `purchaseCount` against the daily limit.
 * 4. The reservation becomes RESERVED.
 *
 * Each counter write is conditional on the purchase's own attribute too, so every step is
 * idempotent on its own: a Lambda that dies between two steps is simply run again. A refusal at
 * step 3 gives step 2 back before it throws, so a refused purchase holds nothing. Amounts are
 * integer cents; months and days are UTC.
 *
 * A counter names only the purchases whose money may still move (reserving, reserved, releasing):
 * commit() makes the reservation COMMITTED first, after which nothing reserves, adjusts or
 * releases it again, then removes the purchase's attribute from both counters, leaving the total.
 * So a counter's size is bounded by the purchases in flight, not by how many were ever bought
 * (issue #11: the item never nears DynamoDB's 400 KB limit; lib/config.ts bounds the purchases
 * in flight through the daily limit). A crash between the two leaves one stale attribute, which
 * the next commit() of the same purchase (a retry) removes.
 *
 * Calls for one purchase are expected to be sequential (one execution runs one state at a time);
 * calls for different purchases may be concurrent, which is what the conditions are for.
 */
export class DynamoSpendGuard implements SpendGuard {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly config: BudgetConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async reserve(input: { purchaseId: string; vendor: Vendor; amountUsd: number; at: Date }): Promise<Reservation> {
    const { purchaseId } = input;
    const amountCents = toCents(input.amountUsd);
    if (amountCents < 0) throw new RangeError(`reservation amount must not be negative: ${input.amountUsd}`);

    const record = await this.createOrGetRecord({
      purchaseId,
      vendor: input.vendor,
      amountCents,
      month: utcMonth(input.at),
      day: utcDay(input.at),
    });
    if (record.status === 'RESERVED' || record.status === 'COMMITTED') return toReservation(record);
    if (record.status !== 'RESERVING') {
      throw new ReservationStateError(`purchase ${purchaseId} already has a ${record.status} reservation; it cannot reserve again`);
    }

    // Resume with the stored values: a retry must not move the reservation to another month or amount.
    const budget = this.budgetCounter(record.vendor, record.month);
    const claimed = await this.claim(budget, purchaseId, record.amountCents);
    if (claimed.outcome === 'refused') {
      await this.abandon(purchaseId);
      const left = Math.max(0, budget.limit - claimed.totalCents);
      throw new BudgetExceededError(
        `${record.vendor} monthly budget for ${record.month} would be exceeded: ${formatUsd(fromCents(record.amountCents))} requested, ` +
          `${formatUsd(fromCents(left))} of ${formatUsd(fromCents(budget.limit))} left`,
      );
    }

    const daily = this.dailyCounter(record.day);
    const counted = await this.claim(daily, purchaseId, 1);
    if (counted.outcome === 'refused') {
      await this.unclaim(budget, purchaseId);
      await this.abandon(purchaseId);
      throw new DailyLimitExceededError(`daily purchase limit of ${daily.limit} reached for ${record.day} (UTC)`);
    }

    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: reservationKey(purchaseId),
          UpdateExpression: 'SET #status = :reserved, updatedAt = :now',
          ConditionExpression: '#status = :reserving',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':reserved': 'RESERVED', ':reserving': 'RESERVING', ':now': this.now() },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const current = await this.getRecord(purchaseId);
      if (current?.status === 'RESERVED' || current?.status === 'COMMITTED') return toReservation(current);
      // Released while we were reserving: give back what this call claimed.
      await this.unclaim(budget, purchaseId);
      await this.unclaim(daily, purchaseId);
      throw new ReservationStateError(`reservation for ${purchaseId} changed to ${current?.status ?? 'nothing'} while reserving`);
    }
    return toReservation({ ...record, status: 'RESERVED' });
  }

  async adjust(purchaseId: string, newAmountUsd: number): Promise<Reservation> {
    const newCents = toCents(newAmountUsd);
    if (newCents < 0) throw new RangeError(`reservation amount must not be negative: ${newAmountUsd}`);
    const record = await this.getRecord(purchaseId);
    if (record?.status !== 'RESERVED') {
      throw new ReservationStateError(`cannot adjust the reservation of ${purchaseId}: it is ${record?.status ?? 'missing'}`);
    }
    const budget = this.budgetCounter(record.vendor, record.month);
    const result = await this.reclaim(budget, purchaseId, newCents);
    if (result.outcome === 'refused') {
      const left = Math.max(0, budget.limit - result.totalCents);
      throw new BudgetExceededError(
        `${record.vendor} monthly budget for ${record.month} would be exceeded by the new quote: ` +
          `${formatUsd(fromCents(newCents))} instead of ${formatUsd(fromCents(result.previousCents))}, ` +
          `${formatUsd(fromCents(left))} of ${formatUsd(fromCents(budget.limit))} left`,
      );
    }
    // The counter is the source of truth; the record copies it (a retry after a crash here is harmless).
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: reservationKey(purchaseId),
        UpdateExpression: 'SET amountCents = :amount, updatedAt = :now',
        ConditionExpression: '#status = :reserved',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':amount': newCents, ':reserved': 'RESERVED', ':now': this.now() },
      }),
    );
    return toReservation({ ...record, amountCents: newCents });
  }

  async commit(purchaseId: string): Promise<void> {
    let record: ReservationItem | undefined;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: reservationKey(purchaseId),
          UpdateExpression: 'SET #status = :committed, updatedAt = :now',
          ConditionExpression: '#status = :reserved',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':committed': 'COMMITTED', ':reserved': 'RESERVED', ':now': this.now() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      record = out.Attributes as ReservationItem | undefined;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const current = await this.getRecord(purchaseId);
      if (current?.status !== 'COMMITTED') {
        throw new ReservationStateError(`cannot commit the reservation of ${purchaseId}: it is ${current?.status ?? 'missing'}`);
      }
      record = current;
    }
    if (!record) return;
    // Spent for good: the counters keep the total and forget the purchase.
    await Promise.all([this.forget(this.budgetCounter(record.vendor, record.month), purchaseId), this.forget(this.dailyCounter(record.day), purchaseId)]);
  }

  async release(purchaseId: string): Promise<void> {
    const record = await this.getRecord(purchaseId);
    // COMMITTED means the money was spent: giving it back would let the next purchase overspend.
    if (!record || record.status === 'COMMITTED' || record.status === 'RELEASED') return;

    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: reservationKey(purchaseId),
          UpdateExpression: 'SET #status = :releasing, updatedAt = :now',
          ConditionExpression: '#status IN (:reserving, :reserved, :releasing)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':releasing': 'RELEASING',
            ':reserving': 'RESERVING',
            ':reserved': 'RESERVED',
            ':now': this.now(),
          },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      return this.release(purchaseId); // committed, released or abandoned meanwhile: decide again
    }

    await this.unclaim(this.budgetCounter(record.vendor, record.month), purchaseId);
    await this.unclaim(this.dailyCounter(record.day), purchaseId);

    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: reservationKey(purchaseId),
          UpdateExpression: 'SET #status = :released, updatedAt = :now',
          ConditionExpression: '#status = :releasing',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':released': 'RELEASED', ':releasing': 'RELEASING', ':now': this.now() },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err; // a concurrent release finished first
    }
  }

  async remaining(vendor: Vendor, at: Date): Promise<{ capUsd: number; reservedUsd: number; remainingUsd: number }> {
    const budget = this.budgetCounter(vendor, utcMonth(at));
    const item = await this.getItem(budget.key);
    const reservedCents = numberOr0(item?.[budget.totalAttribute]);
    return {
      capUsd: fromCents(budget.limit),
      reservedUsd: fromCents(reservedCents),
      remainingUsd: fromCents(Math.max(0, budget.limit - reservedCents)),
    };
  }

  // ---- counters -------------------------------------------------------------------------------

  private budgetCounter(vendor: Vendor, month: string): Counter {
    return {
      key: budgetKey(vendor, month),
      totalAttribute: 'reservedCents',
      limit: toCents(this.config.capsUsd[vendor]),
    };
  }

  private dailyCounter(day: string): Counter {
    return { key: itemKey(`DAILY#${day}`, 'DAILY'), totalAttribute: 'purchaseCount', limit: this.config.dailyLimit };
  }

  /** Adds `amount` for this purchase unless that would pass the limit; idempotent per purchase. */
  private async claim(counter: Counter, purchaseId: string, amount: number): Promise<ClaimResult> {
    const room = counter.limit - amount;
    if (room >= 0) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: counter.key,
            UpdateExpression: 'SET #mine = :amount, updatedAt = :now ADD #total :amount',
            ConditionExpression: 'attribute_not_exists(#mine) AND (attribute_not_exists(#total) OR #total <= :room)',
            ExpressionAttributeNames: { '#mine': memberAttribute(purchaseId), '#total': counter.totalAttribute },
            ExpressionAttributeValues: { ':amount': amount, ':room': room, ':now': this.now() },
          }),
        );
        return { outcome: 'claimed', totalCents: 0 };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
    }
    const item = await this.getItem(counter.key);
    if (item?.[memberAttribute(purchaseId)] !== undefined) return { outcome: 'already', totalCents: 0 };
    return { outcome: 'refused', totalCents: numberOr0(item?.[counter.totalAttribute]) };
  }

  /** Gives back whatever this purchase holds in the counter; a no-op when it holds nothing. */
  private async unclaim(counter: Counter, purchaseId: string): Promise<void> {
    const mine = memberAttribute(purchaseId);
    for (;;) {
      const held = (await this.getItem(counter.key))?.[mine];
      if (held === undefined) return;
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: counter.key,
            UpdateExpression: 'REMOVE #mine SET updatedAt = :now ADD #total :minus',
            ConditionExpression: '#mine = :held',
            ExpressionAttributeNames: { '#mine': mine, '#total': counter.totalAttribute },
            ExpressionAttributeValues: { ':held': held, ':minus': -numberOr0(held), ':now': this.now() },
          }),
        );
        return;
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err; // changed under us: read again
      }
    }
  }

  /** Removes a committed purchase's attribute from a counter, leaving the total as it is. */
  private async forget(counter: Counter, purchaseId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: counter.key,
          UpdateExpression: 'REMOVE #mine SET updatedAt = :now',
          ConditionExpression: 'attribute_exists(#mine)',
          ExpressionAttributeNames: { '#mine': memberAttribute(purchaseId) },
          ExpressionAttributeValues: { ':now': this.now() },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err; // already forgotten
    }
  }

  /** Changes this purchase's amount in the counter, checking the cap only when it grows. */
  private async reclaim(counter: Counter, purchaseId: string, amount: number): Promise<ReclaimResult> {
    const mine = memberAttribute(purchaseId);
    for (;;) {
      const item = await this.getItem(counter.key);
      const held = item?.[mine];
      if (typeof held !== 'number') throw new ReservationStateError(`purchase ${purchaseId} holds nothing in ${counter.key[PK]}`);
      if (held === amount) return { outcome: 'claimed' };
      const delta = amount - held;
      const room = counter.limit - delta;
      if (delta > 0 && room < 0) return { outcome: 'refused', totalCents: numberOr0(item?.[counter.totalAttribute]), previousCents: held };
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: counter.key,
            UpdateExpression: 'SET #mine = :amount, updatedAt = :now ADD #total :delta',
            ConditionExpression: delta > 0 ? '#mine = :held AND #total <= :room' : '#mine = :held',
            ExpressionAttributeNames: { '#mine': mine, '#total': counter.totalAttribute },
            ExpressionAttributeValues: {
              ':amount': amount,
              ':held': held,
              ':delta': delta,
              ':now': this.now(),
              ...(delta > 0 ? { ':room': room } : {}),
            },
          }),
        );
        return { outcome: 'claimed' };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        const after = await this.getItem(counter.key);
        if (after?.[mine] === held) {
          return { outcome: 'refused', totalCents: numberOr0(after?.[counter.totalAttribute]), previousCents: held };
        }
        // Our own amount changed (a retried adjust): start over from what is stored.
      }
    }
  }

  // ---- reservation record -----------------------------------------------------------------------

  private async createOrGetRecord(fields: Omit<ReservationItem, 'status' | 'createdAt' | 'updatedAt'>): Promise<ReservationItem> {
    const now = this.now();
    const item: ReservationItem = { ...fields, status: 'RESERVING', createdAt: now, updatedAt: now };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...reservationKey(fields.purchaseId), ...item },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return item;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const existing = await this.getRecord(fields.purchaseId);
    if (existing) return existing;
    // Abandoned between our put and our read (a concurrent refusal): try once more from scratch.
    return this.createOrGetRecord(fields);
  }

  /** Removes a refused reservation so the purchase holds nothing and a later retry starts clean. */
  private async abandon(purchaseId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: reservationKey(purchaseId),
          ConditionExpression: '#status = :reserving',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':reserving': 'RESERVING' },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  private async getRecord(purchaseId: string): Promise<ReservationItem | undefined> {
    return (await this.getItem(reservationKey(purchaseId))) as ReservationItem | undefined;
  }

  private async getItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item;
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** The reservation is in a state that does not allow the requested transition. */
export class ReservationStateError extends ProcureError {
  override name = 'ReservationStateError';
}

/** "YYYY-MM" in UTC: the budget month of an instant. */
export function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** "YYYY-MM-DD" in UTC: the purchase-count day of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

type ReservationStatus = 'RESERVING' | 'RESERVED' | 'COMMITTED' | 'RELEASING' | 'RELEASED';

interface ReservationItem {
  purchaseId: string;
  vendor: Vendor;
  amountCents: number;
  month: string;
  day: string;
  status: ReservationStatus;
  createdAt: string;
  updatedAt: string;
}

/** A state-table item's key. */
type ItemKey = Record<typeof PK | typeof SK, string>;

function itemKey(partition: string, sort: string): ItemKey {
  return { [PK]: partition, [SK]: sort };
}

interface Counter {
  key: ItemKey;
  totalAttribute: string;
  /** Cap in cents, or the daily count limit. */
  limit: number;
}

type ClaimResult = { outcome: 'claimed' | 'already'; totalCents: number } | { outcome: 'refused'; totalCents: number };
type ReclaimResult = { outcome: 'claimed' } | { outcome: 'refused'; totalCents: number; previousCents: number };

/** Key of a purchase's RESERVATION record (read back by the reconciler's ledger too). */
export function reservationKey(purchaseId: string): ItemKey {
  return itemKey(`RESERVATION#${purchaseId}`, 'RESERVATION');
}

/** Key of a vendor's monthly budget counter. */
export function budgetKey(vendor: Vendor, month: string): ItemKey {
  return itemKey(`BUDGET#${vendor}#${month}`, 'BUDGET');
}

/** Prefix of the counter attributes holding one purchase's share (`p_<purchaseId>`). */
export const MEMBER_ATTRIBUTE_PREFIX = 'p_';

/** The attribute in a counter item holding one purchase's share. */
function memberAttribute(purchaseId: string): string {
  return `${MEMBER_ATTRIBUTE_PREFIX}${purchaseId}`;
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function toReservation(record: ReservationItem): Reservation {
  return { vendor: record.vendor, amountUsd: fromCents(record.amountCents), month: record.month, day: record.day };
}
