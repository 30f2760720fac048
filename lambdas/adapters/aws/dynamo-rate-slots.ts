import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateSlots } from '../../core/ports';
import {
  COCALC_CART_ADD_LIMITS,
  RateSlotsContendedError,
  earliestSlot,
  oldestRelevantSlot,
  type RateLimit,
} from '../../core/rate-slots';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';

/** Options for {@link DynamoRateSlots}. */
export interface DynamoRateSlotsOptions {
  /** The vendor's sliding-window limits. @default COCALC_CART_ADD_LIMITS */
  readonly limits?: readonly RateLimit[];
  /** How late after its slot a call may reach the vendor and still be safe (rate-slots.ts). @default 1000 */
  readonly toleranceMs?: number;
  /** Conditional writes tried before RateSlotsContendedError. @default 25 */
  readonly maxAttempts?: number;
  /**
   * Least time unit of the random pause after a lost write, ms. The pause is random in
   * [0, 2^(attempt−1) × max(jitterMs, the lost attempt's round trip)], the doubling stopping at
   * 64×: full jitter that spreads a burst of writers over about as many round trips as there are
   * writers, and stretches with the store's latency, so a loaded store does not turn into more
   * collisions. Measured on dynalite (loaded machine): 40 writers at once settle with at most
   * ~7 attempts each, 80 with ~10. @default 5
   */
  readonly jitterMs?: number;
  /** Longest single pause, ms. @default 1000 */
  readonly maxPauseMs?: number;
}

/** One slot in the ledger. A consumed slot's holder is `used:<holder>`. */
interface StoredSlot {
  at: number;
  holder: string;
}

interface Ledger {
  slots: StoredSlot[];
  /** Absent when the item does not exist yet. */
  version: number | undefined;
}

const USED = 'used:';

/**
 * {@link RateSlots} as one state-table item per key, SLOTS#<key> / SLOTS, holding
 * `slots: {at, holder}[]` and a `version`. Every change reads the item, computes the new list in
 * code (core/rate-slots.ts) and writes it back on the condition that `version` is unchanged
 * (optimistic concurrency: dynalite has no transactions, and one item keeps the whole schedule
 * consistent). A writer that loses re-reads and tries again after a short random pause; that loop
 * only settles concurrent writers (bounded: `maxAttempts`, then RateSlotsContendedError), it never
 * waits for a slot, which is returned however far ahead it lies.
 *
 * Each reserve drops slots that can no longer share a window with a new one, so the item holds
 * the last hour's slots (at most the hour limit, 200 for CoCalc) plus those booked ahead.
 */
export class DynamoRateSlots implements RateSlots {
  private readonly limits: readonly RateLimit[];
  private readonly toleranceMs: number;
  private readonly maxAttempts: number;
  private readonly jitterMs: number;
  private readonly maxPauseMs: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoRateSlotsOptions = {},
  ) {
    this.limits = options.limits ?? COCALC_CART_ADD_LIMITS;
    this.toleranceMs = options.toleranceMs ?? 1_000;
    this.maxAttempts = options.maxAttempts ?? 25;
    this.jitterMs = options.jitterMs ?? 5;
    this.maxPauseMs = options.maxPauseMs ?? 1_000;
  }

  async reserve(key: string, holder: string, now: number): Promise<{ at: number }> {
    let reserved: number | undefined;
    await this.change(key, 'reserve', (slots) => {
      // A retried Lambda gets the slot it already holds, even one in the past (the caller decides
      // whether it is still usable).
      const held = slots.find((s) => s.holder === holder);
      if (held) {
        reserved = held.at;
        return undefined;
      }
      const oldest = oldestRelevantSlot(now, this.limits, this.toleranceMs);
      const kept = slots.filter((s) => s.at >= oldest);
      reserved = earliestSlot(
        kept.map((s) => s.at),
        now,
        this.limits,
        this.toleranceMs,
      );
      return [...kept, { at: reserved, holder }];
    });
    return { at: reserved! };
  }

  async release(key: string, holder: string): Promise<void> {
    await this.change(key, 'release', (slots) => {
      const i = slots.findIndex((s) => s.holder === holder);
      return i < 0 ? undefined : slots.filter((_, j) => j !== i);
    });
  }

  /**
   * Marks the holder's slot used. Consuming happens right before a send, when the item is most
   * contended (adds due together, new reservations), so it is first one conditional update of the
   * holder's own list entry: it needs no version match, only that the entry read is still the
   * holder's, and it bumps the version so a concurrent read-modify-write writer re-reads. Only
   * when the list moved under it (another writer pruned it) does it fall back to the loop.
   */
  async consume(key: string, holder: string): Promise<void> {
    const { slots, version } = await this.read(key);
    const i = slots.findIndex((s) => s.holder === holder);
    if (i < 0) return;
    if (version !== undefined && (await this.markUsed(key, i, holder))) return;
    await this.change(key, 'consume', (slots) => {
      const i = slots.findIndex((s) => s.holder === holder);
      return i < 0 ? undefined : slots.map((s, j) => (j === i ? { at: s.at, holder: `${USED}${holder}` } : s));
    });
  }

  /**
   * Compare-and-set loop: `next` gets the current slots and returns the new list, or undefined
   * when nothing needs writing.
   */
  private async change(key: string, what: string, next: (slots: StoredSlot[]) => StoredSlot[] | undefined): Promise<void> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const started = Date.now();
      const ledger = await this.read(key);
      const slots = next(ledger.slots);
      if (!slots) return;
      if (await this.write(key, slots, ledger.version)) return;
      const unit = Math.max(this.jitterMs, Date.now() - started);
      const pause = Math.random() * Math.min(2 ** Math.min(attempt - 1, 6) * unit, this.maxPauseMs);
      await new Promise((r) => setTimeout(r, pause));
    }
    throw new RateSlotsContendedError(
      `rate slots ${key}: ${what} lost ${this.maxAttempts} conditional writes to concurrent writers; nothing changed, try again`,
    );
  }

  /** True when entry `i` was still `holder`'s and is now marked used. */
  private async markUsed(key: string, i: number, holder: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: slotsKey(key),
          UpdateExpression: `SET #slots[${i}].#holder = :used, #version = #version + :one`,
          ConditionExpression: `#slots[${i}].#holder = :holder`,
          ExpressionAttributeNames: { '#slots': 'slots', '#holder': 'holder', '#version': 'version' },
          ExpressionAttributeValues: { ':used': `${USED}${holder}`, ':holder': holder, ':one': 1 },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  private async read(key: string): Promise<Ledger> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: slotsKey(key), ConsistentRead: true }));
    if (!Item) return { slots: [], version: undefined };
    const raw = Array.isArray(Item.slots) ? (Item.slots as unknown[]) : [];
    const slots = raw.filter(
      (s): s is StoredSlot =>
        typeof (s as StoredSlot | null)?.at === 'number' && typeof (s as StoredSlot | null)?.holder === 'string',
    );
    return { slots, version: typeof Item.version === 'number' ? Item.version : 0 };
  }

  /** True when written; false when another writer changed the item since it was read. */
  private async write(key: string, slots: StoredSlot[], version: number | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...slotsKey(key), slots: slots.map((s) => ({ at: s.at, holder: s.holder })), version: (version ?? 0) + 1 },
          ...(version === undefined
            ? {
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': STATE_TABLE.partitionKey },
              }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': version },
              }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}

function slotsKey(key: string): Record<string, string> {
  return { [STATE_TABLE.partitionKey]: `SLOTS#${key}`, [STATE_TABLE.sortKey]: 'SLOTS' };
}
