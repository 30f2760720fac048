import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BudgetExceededError, DailyLimitExceededError } from '../../core/errors';
import { formatUsd, fromCents, toCents } from '../../core/money';
import type { NewReservation, SpendGuard } from '../../core/ports';
import type { Vendor } from '../../core/purchase-request';
import type { Reservation } from '../../core/workflow';
import type { BudgetConfig } from '../../shared/config';
import { SpendCounters } from './spend-guard-counters';
import { budgetKey, itemKey, numberOr0, ReservationStateError, reservationKey, toReservation, utcDay, utcMonth, type Counter } from './spend-guard-items';
import { ReservationRecords } from './spend-guard-records';

// The items, keys and error live in spend-guard-items.ts, the counter writes in spend-guard-counters.ts
// and the record writes in spend-guard-records.ts.

/**
 * {@link SpendGuard} on the state table, without transactions (each step below is idempotent on
 * its own, so a transaction would not make them any safer):
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
 * (issue #11: the item never nears DynamoDB's 400 KB limit; lib/counter-size-config.ts bounds the purchases
 * in flight through the daily limit). A crash between the two leaves one stale attribute, which
 * the next commit() of the same purchase (a retry) removes.
 *
 * Calls for one purchase are expected to be sequential (one execution runs one state at a time);
 * calls for different purchases may be concurrent, which is what the conditions are for.
 */
export class DynamoSpendGuard implements SpendGuard {
  /** The counter writes and the reservation records, on the same table and clock. */
  private readonly counters: SpendCounters;
  private readonly records: ReservationRecords;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly config: BudgetConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.counters = new SpendCounters(doc, tableName, () => this.now());
    this.records = new ReservationRecords(
      doc,
      tableName,
      () => this.now(),
      (key) => this.counters.getItem(key),
    );
  }

  async reserve(input: { purchaseId: string; vendor: Vendor; amountUsd: number; at: Date }): Promise<NewReservation> {
    const { purchaseId } = input;
    const amountCents = toCents(input.amountUsd);
    if (amountCents < 0) throw new RangeError(`reservation amount must not be negative: ${input.amountUsd}`);

    const record = await this.records.createOrGetRecord({
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
    const claimed = await this.counters.claim(budget, purchaseId, record.amountCents);
    if (claimed.outcome === 'refused') {
      await this.records.abandon(purchaseId);
      const left = budgetLeft(budget, claimed.totalCents);
      throw new BudgetExceededError(
        `${record.vendor} monthly budget for ${record.month} would be exceeded: ${formatUsd(fromCents(record.amountCents))} requested, ` +
          `${formatUsd(left.remainingUsd)} of ${formatUsd(left.capUsd)} left`,
      );
    }

    const daily = this.dailyCounter(record.day);
    const counted = await this.counters.claim(daily, purchaseId, 1);
    if (counted.outcome === 'refused') {
      await this.counters.unclaim(budget, purchaseId);
      await this.records.abandon(purchaseId);
      throw new DailyLimitExceededError(`daily purchase limit of ${daily.limit} reached for ${record.day} (UTC)`);
    }

    if (!(await this.records.transition(purchaseId, ['RESERVING'], 'RESERVED'))) {
      const current = await this.records.getRecord(purchaseId);
      if (current?.status === 'RESERVED' || current?.status === 'COMMITTED') return toReservation(current);
      // Released while we were reserving: give back what this call claimed.
      await this.counters.unclaim(budget, purchaseId);
      await this.counters.unclaim(daily, purchaseId);
      throw new ReservationStateError(`reservation for ${purchaseId} changed to ${current?.status ?? 'nothing'} while reserving`);
    }
    const reservation = toReservation({ ...record, status: 'RESERVED' });
    if (claimed.outcome !== 'claimed') return reservation;
    const { capUsd, remainingUsd } = budgetLeft(budget, claimed.totalCents);
    return { ...reservation, budgetAfter: { capUsd, remainingUsd } };
  }

  async adjust(purchaseId: string, newAmountUsd: number): Promise<Reservation> {
    const newCents = toCents(newAmountUsd);
    if (newCents < 0) throw new RangeError(`reservation amount must not be negative: ${newAmountUsd}`);
    const record = await this.records.getRecord(purchaseId);
    if (record?.status !== 'RESERVED') {
      throw new ReservationStateError(`cannot adjust the reservation of ${purchaseId}: it is ${record?.status ?? 'missing'}`);
    }
    const budget = this.budgetCounter(record.vendor, record.month);
    const result = await this.counters.reclaim(budget, purchaseId, newCents);
    if (result.outcome === 'refused') {
      const left = budgetLeft(budget, result.totalCents);
      throw new BudgetExceededError(
        `${record.vendor} monthly budget for ${record.month} would be exceeded by the new quote: ` +
          `${formatUsd(fromCents(newCents))} instead of ${formatUsd(fromCents(result.previousCents))}, ` +
          `${formatUsd(left.remainingUsd)} of ${formatUsd(left.capUsd)} left`,
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
    let record = await this.records.transition(purchaseId, ['RESERVED'], 'COMMITTED');
    if (!record) {
      const current = await this.records.getRecord(purchaseId);
      if (current?.status !== 'COMMITTED') {
        throw new ReservationStateError(`cannot commit the reservation of ${purchaseId}: it is ${current?.status ?? 'missing'}`);
      }
      record = current;
    }
    // Spent for good: the counters keep the total and forget the purchase.
    await Promise.all([
      this.counters.forget(this.budgetCounter(record.vendor, record.month), purchaseId),
      this.counters.forget(this.dailyCounter(record.day), purchaseId),
    ]);
  }

  async release(purchaseId: string): Promise<void> {
    const record = await this.records.getRecord(purchaseId);
    // COMMITTED means the money was spent: giving it back would let the next purchase overspend.
    if (!record || record.status === 'COMMITTED' || record.status === 'RELEASED') return;

    if (!(await this.records.transition(purchaseId, ['RESERVING', 'RESERVED', 'RELEASING'], 'RELEASING'))) {
      return this.release(purchaseId); // committed, released or abandoned meanwhile: decide again
    }

    await this.counters.unclaim(this.budgetCounter(record.vendor, record.month), purchaseId);
    await this.counters.unclaim(this.dailyCounter(record.day), purchaseId);

    // Refused only when a concurrent release finished first.
    await this.records.transition(purchaseId, ['RELEASING'], 'RELEASED');
  }

  async remaining(vendor: Vendor, at: Date): Promise<{ capUsd: number; reservedUsd: number; remainingUsd: number }> {
    const budget = this.budgetCounter(vendor, utcMonth(at));
    const item = await this.counters.getItem(budget.key);
    return budgetLeft(budget, numberOr0(item?.[budget.totalAttribute]));
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

  private now(): string {
    return this.clock().toISOString();
  }
}

/** A budget counter's cap, what it holds, and what is left (never below zero), in USD. */
function budgetLeft(counter: Counter, totalCents: number): { capUsd: number; reservedUsd: number; remainingUsd: number } {
  return { capUsd: fromCents(counter.limit), reservedUsd: fromCents(totalCents), remainingUsd: fromCents(Math.max(0, counter.limit - totalCents)) };
}
