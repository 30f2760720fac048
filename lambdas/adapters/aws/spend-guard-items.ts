import { ProcureError } from '../../core/errors';
import { fromCents } from '../../core/money';
import type { Vendor } from '../../core/purchase-request';
import type { Reservation } from '../../core/workflow';
import { STATE_TABLE } from '../../shared/table-keys';

// The spend guard's items on the state table (dynamo-spend-guard.ts): their keys and shapes, the
// UTC month and day they are counted in, and its error. Shared by the guard, its counter writes
// (spend-guard-counters.ts) and the reconciler's ledger (dynamo-reservation-ledger.ts).

const PK = STATE_TABLE.partitionKey;
const SK = STATE_TABLE.sortKey;

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

/** The states of a reservation record (RELEASING and RELEASED only once release() gives it back). */
export type ReservationStatus = 'RESERVING' | 'RESERVED' | 'COMMITTED' | 'RELEASING' | 'RELEASED';

/** The RESERVATION#<purchaseId> record. */
export interface ReservationItem {
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
export type ItemKey = Record<typeof PK | typeof SK, string>;

/** The key of the state-table item `partition` / `sort`. */
export function itemKey(partition: string, sort: string): ItemKey {
  return { [PK]: partition, [SK]: sort };
}

/** A counter item (monthly budget or daily count) and the limit its total must stay within. */
export interface Counter {
  key: ItemKey;
  totalAttribute: string;
  /** Cap in cents, or the daily count limit. */
  limit: number;
}

/**
 * What {@link SpendCounters.claim} did: added the amount (the counter's total right after), found
 * it added already, or refused it (the total that left no room).
 */
export type ClaimResult = { outcome: 'claimed'; totalCents: number } | { outcome: 'already' } | { outcome: 'refused'; totalCents: number };
/** What {@link SpendCounters.reclaim} did: changed the amount, or refused a growth past the limit. */
export type ReclaimResult = { outcome: 'claimed' } | { outcome: 'refused'; totalCents: number; previousCents: number };

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
export function memberAttribute(purchaseId: string): string {
  return `${MEMBER_ATTRIBUTE_PREFIX}${purchaseId}`;
}

/** A counter attribute's number; 0 when it is absent. */
export function numberOr0(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** The {@link Reservation} a record stands for. */
export function toReservation(record: ReservationItem): Reservation {
  return { vendor: record.vendor, amountUsd: fromCents(record.amountCents), month: record.month, day: record.day };
}
