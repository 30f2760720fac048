import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateSlots } from '../../core/ports';
import {
  RateSlotsContendedError,
  decideClaim,
  earliestSlot,
  oldestRelevantSlot,
  type RateClaim,
  type RateLimit,
  scheduleTimeOf,
  type SentCall,
} from '../../core/rate-slots';
import { STATE_TABLE } from '../../shared/table-keys';
import { isConditionalCheckFailed } from './conditional-check';

/**
 * What production runs with (rate-slots.ts): a 100 ms schedule margin, and an unanswered call
 * counted as arriving up to 20 s after its claim (the CoCalc client's 15 s request timeout, plus 5 s).
 */
export const RATE_SLOT_DEFAULTS = { marginMs: 100, inFlightMs: 20_000 } as const;

/** Options for {@link DynamoRateSlots}. */
export interface DynamoRateSlotsOptions {
  /** The vendor's sliding-window limits (CoCalc's add: vendors/cocalc/core/add-limits.ts). */
  readonly limits: readonly RateLimit[];
  /** The schedule's widening of each window, about how long a send takes (rate-slots.ts). @default 100 */
  readonly marginMs?: number;
  /** An unanswered call may reach the vendor up to this long after its claim (rate-slots.ts decideClaim). @default 20000 */
  readonly inFlightMs?: number;
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
  /** A pending slot this long past no longer holds a place in the schedule. @default 10000 */
  readonly stalePendingMs?: number;
  /** Measures how long a claim's lost writes took, which makes its send that much later. @default Date.now */
  readonly clock?: () => number;
}

/**
 * One entry of the ledger. Pending: `{at, holder}`, a reservation. Sent: holder `used:<holder>`,
 * `sentAt` (the claim) and, once answered, `settledAt`; a sent call counts whatever happened next.
 */
interface StoredSlot {
  at: number;
  holder: string;
  sentAt?: number;
  settledAt?: number;
}

interface Ledger {
  slots: StoredSlot[];
  /** Absent when the item does not exist yet. */
  version: number | undefined;
}

const USED = 'used:';

/**
 * {@link RateSlots} as one state-table item per key, SLOTS#<key> / SLOTS, holding
 * `slots: StoredSlot[]` and a `version`. Reserving, releasing and claiming read the item, compute
 * the new list in code (core/rate-slots.ts) and write it back on the condition that `version` is
 * unchanged (optimistic concurrency: one item keeps the claims
 * serialized, which the claim check's proof needs). A writer that loses re-reads and tries again
 * after a short random pause; that loop only settles concurrent writers (bounded: `maxAttempts`,
 * then RateSlotsContendedError), it never waits for a slot.
 *
 * Each reserve drops entries that can no longer share a window with a new call, so the item holds
 * the last hour's calls (at most the hour limit, 200 for CoCalc) plus those booked ahead.
 */
export class DynamoRateSlots implements RateSlots {
  private readonly limits: readonly RateLimit[];
  private readonly marginMs: number;
  private readonly inFlightMs: number;
  private readonly maxAttempts: number;
  private readonly jitterMs: number;
  private readonly maxPauseMs: number;
  private readonly clock: () => number;
  private readonly stalePendingMs: number;
  /** Where this instance's last granted claim of each holder went in the list (settle's first guess). */
  private readonly claimedIndex = new Map<string, number>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoRateSlotsOptions,
  ) {
    this.limits = options.limits;
    this.marginMs = options.marginMs ?? RATE_SLOT_DEFAULTS.marginMs;
    this.inFlightMs = options.inFlightMs ?? RATE_SLOT_DEFAULTS.inFlightMs;
    this.maxAttempts = options.maxAttempts ?? 25;
    this.jitterMs = options.jitterMs ?? 5;
    this.maxPauseMs = options.maxPauseMs ?? 1_000;
    this.clock = options.clock ?? Date.now;
    this.stalePendingMs = options.stalePendingMs ?? 10_000;
  }

  async reserve(key: string, holder: string, now: number): Promise<{ at: number }> {
    let reserved: number | undefined;
    await this.change(key, 'reserve', (slots) => {
      // A retried Lambda gets the slot it already holds, even one in the past.
      const held = slots.find((s) => s.holder === holder);
      if (held) {
        reserved = held.at;
        return undefined;
      }
      const oldest = oldestRelevantSlot(now, this.limits, this.marginMs);
      const kept = slots.filter((s) => this.latestAt(s) >= oldest);
      // A pending slot long past was missed (its holder gave it back, or died): it holds no place
      // in the schedule. If its holder still claims, the claim check counts what was really sent.
      const live = kept.filter((s) => s.sentAt !== undefined || s.at >= now - this.stalePendingMs);
      reserved = earliestSlot(
        live.map((s) => scheduleTimeOf(s, this.marginMs)),
        now,
        this.limits,
        this.marginMs,
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

  async claim(key: string, holder: string, now: number): Promise<RateClaim> {
    let claim: RateClaim = { sent: true };
    const started = this.clock();
    await this.change(key, 'claim', (slots) => {
      // The check runs at the time of this attempt: a claim that lost writes is that much later.
      const at = now + (this.clock() - started);
      const sent = slots.filter((s): s is StoredSlot & { sentAt: number } => s.sentAt !== undefined).map(sentCall);
      claim = decideClaim(sent, at, this.limits, this.inFlightMs);
      if (!claim.sent) return undefined;
      const i = slots.findIndex((s) => s.holder === holder);
      const entry: StoredSlot = { at: i < 0 ? at : slots[i]!.at, holder: `${USED}${holder}`, sentAt: at };
      this.claimedIndex.set(holder, i < 0 ? slots.length : i);
      return i < 0 ? [...slots, entry] : slots.map((s, j) => (j === i ? entry : s));
    });
    return claim;
  }

  /**
   * Settling happens right after a send, while others claim, so it is first one conditional
   * update of the holder's own entry, at the index this instance's claim wrote it to (no read), or
   * else where a read finds it: it needs no version match, only that the entry is still the
   * holder's unsettled call, and it bumps the version so a concurrent read-modify-write writer
   * re-reads instead of writing the entry back unsettled. Only when the list moved under it
   * (another writer pruned it) does it fall back to the loop.
   */
  async settle(key: string, holder: string, now: number): Promise<void> {
    const used = `${USED}${holder}`;
    const lastUnsettled = (slots: readonly StoredSlot[]) => {
      for (let i = slots.length - 1; i >= 0; i--) {
        const s = slots[i]!;
        if (s.holder === used && s.sentAt !== undefined && s.settledAt === undefined) return i;
      }
      return -1;
    };
    const claimed = this.claimedIndex.get(holder);
    this.claimedIndex.delete(holder);
    if (claimed !== undefined && (await this.markSettled(key, claimed, used, now))) return;
    const { slots, version } = await this.read(key);
    const i = lastUnsettled(slots);
    if (i < 0) return;
    if (version !== undefined && (await this.markSettled(key, i, used, now))) return;
    await this.change(key, 'settle', (slots) => {
      const j = lastUnsettled(slots);
      return j < 0 ? undefined : slots.map((s, k) => (k === j ? { ...s, settledAt: now } : s));
    });
  }

  /**
   * What decides when an entry is forgotten (never sooner than before the schedule counted answers
   * exactly, so a Lambda whose clock runs a margin behind still finds it): a pending slot's time;
   * a sent call's answer, or while unanswered its claim plus the margin. Where it stands in the
   * schedule is core/rate-slots.ts scheduleTimeOf.
   */
  private latestAt(s: StoredSlot): number {
    return s.sentAt === undefined ? s.at : (s.settledAt ?? s.sentAt + this.marginMs);
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

  /** True when entry `i` was still `used`'s unsettled call and is now settled at `at`. */
  private async markSettled(key: string, i: number, used: string, at: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: slotsKey(key),
          UpdateExpression: `SET #slots[${i}].#settledAt = :at, #version = #version + :one`,
          ConditionExpression: `#slots[${i}].#holder = :used AND attribute_not_exists(#slots[${i}].#settledAt)`,
          ExpressionAttributeNames: { '#slots': 'slots', '#holder': 'holder', '#settledAt': 'settledAt', '#version': 'version' },
          ExpressionAttributeValues: { ':used': used, ':at': at, ':one': 1 },
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
    const slots = raw
      .filter((s): s is StoredSlot => typeof (s as StoredSlot | null)?.at === 'number' && typeof (s as StoredSlot | null)?.holder === 'string')
      .map(({ at, holder, sentAt, settledAt }) => ({
        at,
        holder,
        ...(typeof sentAt === 'number' ? { sentAt } : {}),
        ...(typeof settledAt === 'number' ? { settledAt } : {}),
      }));
    return { slots, version: typeof Item.version === 'number' ? Item.version : 0 };
  }

  /** True when written; false when another writer changed the item since it was read. */
  private async write(key: string, slots: StoredSlot[], version: number | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...slotsKey(key), slots, version: (version ?? 0) + 1 },
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

function sentCall(s: StoredSlot & { sentAt: number }): SentCall {
  return s.settledAt === undefined ? { sentAt: s.sentAt } : { sentAt: s.sentAt, settledAt: s.settledAt };
}
