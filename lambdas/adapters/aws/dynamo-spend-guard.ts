import { TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { failedConditions } from './conditional-check';
import { BudgetExceededError, StoreContendedError } from '../../core/errors';
import { formatUsd, fromCents, toCents } from '../../core/money';
import type { NewReservation, SpendGuard } from '../../core/ports';
import type { Vendor } from '../../core/purchase-request';
import type { Reservation } from '../../core/workflow';
import type { BudgetConfig } from '../../shared/config';
import { fits, SpendCounters } from './spend-guard-counters';
import {
  budgetKey,
  itemKey,
  numberOr0,
  ReservationStateError,
  reservationKey,
  toReservation,
  utcDay,
  utcMonth,
  type Counter,
  type ReservationItem,
} from './spend-guard-items';
import { ReservationRecords } from './spend-guard-records';
import { budgetLeft, budgetRefusal, dailyRefusal } from './spend-guard-refusals';

// The items, keys and error live in spend-guard-items.ts, the counter writes in spend-guard-counters.ts
// and the record writes in spend-guard-records.ts.

/**
 * {@link SpendGuard} on the state table. A reserve is one transaction of three conditional writes:
 *
 * - RESERVATION#<purchaseId> is put with status RESERVED, unless the purchase has a record: one
 *   record per purchase, so a repeated reserve returns the first one instead of reserving again.
 * - BUDGET#<vendor>#<YYYY-MM> gets `ADD reservedCents` with the condition that the new total stays
 *   within the cap, and records the purchase's own amount as attribute `p_<purchaseId>`.
 * - DAILY#<YYYY-MM-DD> does the same with `purchaseCount` against the daily limit.
 *
 * All three or none: a refused purchase holds nothing, and a Lambda that dies mid-call is simply
 * run again. Then one read says what is left of the budget. A record in status RESERVING, which a
 * version that made these writes one at a time may have left, is finished that way (resume).
 * Amounts are integer cents; months and days are UTC.
 *
 * A counter names only the purchases whose money may still move (reserving, reserved, releasing):
 * commit() makes the reservation COMMITTED and removes the purchase's attribute from both counters,
 * leaving the total, in one transaction when it is given the reservation. After that nothing
 * reserves, adjusts or releases it again. So a counter's size is bounded by the purchases in flight,
 * not by how many were ever bought (issue #11: the item never nears DynamoDB's 400 KB limit;
 * lib/counter-size-config.ts bounds the purchases in flight through the daily limit). A commit
 * step by step that dies between its writes leaves one stale attribute, which the next commit()
 * of the same purchase (a retry) removes.
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
    const amountCents = toCents(input.amountUsd);
    if (amountCents < 0) throw new RangeError(`reservation amount must not be negative: ${input.amountUsd}`);
    const fields = { purchaseId: input.purchaseId, vendor: input.vendor, amountCents, month: utcMonth(input.at), day: utcDay(input.at) };
    const budget = this.budgetCounter(fields.vendor, fields.month);
    const daily = this.dailyCounter(fields.day);
    for (let attempt = 1; ; attempt += 1) {
      // An amount that cannot fit is refused unwritten, unless the purchase reserved already.
      const cannotFit = !fits(budget, amountCents) || !fits(daily, 1);
      const failed = cannotFit
        ? [true, !fits(budget, amountCents), !fits(daily, 1)]
        : await this.together(
            { Put: this.records.newRecordInput(fields, 'RESERVED') },
            { Update: this.counters.claimInput(budget, fields.purchaseId, amountCents) },
            { Update: this.counters.claimInput(daily, fields.purchaseId, 1) },
          );
      if (!failed) {
        // The record and both shares in one write; the budget left as read right after it.
        const { capUsd, remainingUsd } = await this.remaining(fields.vendor, input.at);
        return { ...toReservation(fields), budgetAfter: { capUsd, remainingUsd } };
      }
      const [recorded, overBudget, overDaily] = failed;
      const existing = recorded ? await this.records.getRecord(fields.purchaseId) : undefined;
      if (existing) return this.resume(existing);
      if (overBudget) {
        throw budgetRefusal(budget, fields, numberOr0((await this.counters.getItem(budget.key))?.[budget.totalAttribute]));
      }
      if (overDaily) throw dailyRefusal(daily, fields.day);
      // The record was there when the transaction ran and gone when read (a refusal abandoned it): again.
      if (attempt >= RESERVE_ATTEMPTS) throw new ReservationStateError(`the reservation of ${fields.purchaseId} kept changing while reserving`);
    }
  }

  /**
   * A repeated reserve found the purchase's record: a made reservation is returned as it is (with no
   * budget figure of its own). A RESERVING one, left by a version that reserved step by step, is
   * finished with its stored values, so a retry never moves it to another month or amount.
   */
  private async resume(record: ReservationItem): Promise<NewReservation> {
    const { purchaseId } = record;
    if (record.status === 'RESERVED' || record.status === 'COMMITTED') return toReservation(record);
    if (record.status !== 'RESERVING') {
      throw new ReservationStateError(`purchase ${purchaseId} already has a ${record.status} reservation; it cannot reserve again`);
    }
    const budget = this.budgetCounter(record.vendor, record.month);
    const claimed = await this.counters.claim(budget, purchaseId, record.amountCents);
    if (claimed.outcome === 'refused') {
      await this.records.abandon(purchaseId);
      throw budgetRefusal(budget, record, claimed.totalCents);
    }
    const daily = this.dailyCounter(record.day);
    const counted = await this.counters.claim(daily, purchaseId, 1);
    if (counted.outcome === 'refused') {
      await this.counters.unclaim(budget, purchaseId);
      await this.records.abandon(purchaseId);
      throw dailyRefusal(daily, record.day);
    }
    if (!(await this.records.transition(purchaseId, ['RESERVING'], 'RESERVED'))) {
      const current = await this.records.getRecord(purchaseId);
      if (current?.status === 'RESERVED' || current?.status === 'COMMITTED') return toReservation(current);
      // Released while we were reserving: give back what this call claimed.
      await this.counters.unclaim(budget, purchaseId);
      await this.counters.unclaim(daily, purchaseId);
      throw new ReservationStateError(`reservation for ${purchaseId} changed to ${current?.status ?? 'nothing'} while reserving`);
    }
    return toReservation(record);
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

  async commit(purchaseId: string, made?: Reservation): Promise<void> {
    if (made) {
      // The status and both counters in one write. Refused when the record is not RESERVED or a
      // counter does not name the purchase (`made` may even be wrong): then decided step by step.
      const budget = this.budgetCounter(made.vendor, made.month);
      const daily = this.dailyCounter(made.day);
      const applied = await this.appliedTogether(
        { Update: this.records.transitionInput(purchaseId, ['RESERVED'], 'COMMITTED') },
        { Update: this.counters.forgetInput(budget, purchaseId) },
        { Update: this.counters.forgetInput(daily, purchaseId) },
      );
      if (applied) return;
    }
    return this.commitStepwise(purchaseId);
  }

  /**
   * Commit one write at a time: for a record found other than RESERVED, or whose transaction was
   * refused. A COMMITTED one may still name the purchase in a counter (a version that committed
   * step by step died in between), which this removes.
   */
  private async commitStepwise(purchaseId: string): Promise<void> {
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
    if (record.status === 'RESERVED') {
      // The status and both shares in one write; refused when any moved meanwhile (then step by step).
      const applied = await this.appliedTogether(
        { Update: this.records.transitionInput(purchaseId, ['RESERVED'], 'RELEASED') },
        { Update: this.counters.unclaimInput(this.budgetCounter(record.vendor, record.month), purchaseId, record.amountCents) },
        { Update: this.counters.unclaimInput(this.dailyCounter(record.day), purchaseId, 1) },
      );
      if (applied) return;
    }
    return this.releaseStepwise(purchaseId, record);
  }

  /** Release one write at a time, from whatever state a reserve, an adjust or another release left. */
  private async releaseStepwise(purchaseId: string, record: ReservationItem): Promise<void> {
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

  /**
   * Whether the actions were written in one transaction; false when a condition refused it or
   * concurrent writes kept cancelling it (the caller then goes step by step, whose plain writes
   * DynamoDB runs one after another on a busy counter).
   */
  private async appliedTogether(...actions: TransactAction[]): Promise<boolean> {
    try {
      return (await this.together(...actions)) === undefined;
    } catch (err) {
      if (err instanceof StoreContendedError) return false;
      throw err;
    }
  }

  /** Writes the actions in one transaction: undefined when it was applied, else which conditions failed. */
  private together(...actions: TransactAction[]): Promise<boolean[] | undefined> {
    return failedConditions(this.doc.send(new TransactWriteCommand({ TransactItems: actions })));
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

/** Transactions of one reserve() whose record vanished between its refusal and the read after it. */
const RESERVE_ATTEMPTS = 3;

/** One action of a transaction. */
type TransactAction = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
