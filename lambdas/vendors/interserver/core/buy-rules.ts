import type { InterserverPaymentPolicy } from './payment-policy';
import { AUDIT } from '../../../core/audit-kinds';
import { VendorTransientError } from '../../../core/errors';
import { LicenseAlreadyExistsError } from './errors';
import { toCents } from '../../../core/money';
import type { AuditEntry, PurchaseRecord } from '../../../core/ports';
import type { InterserverInvoice, InterserverLicense } from './ports';

/**
 * BuyLicense's (InterServer) decisions, pure: what to do with a purchase on entry, what a buy's
 * error means, which license a buy produced and which invoices to pay. The use case
 * (buy.ts) gathers the facts through the ports and acts on these answers;
 * test/unit/interserver-buy-rules.test.ts tables them.
 */

/** Buys per purchase: the second only after the first was proven not to have bought. */
export const MAX_BUY_ATTEMPTS = 2;

/** What this purchase's earlier invocations left in the audit trail. */
export interface EarlierBuys {
  /** The live licenses for the IP and type that the FIRST buy attempt saw before buying. */
  snapshot: number[] | undefined;
  /** How many buys were started. */
  buys: number;
}

/** Audit `detail.operation` / `detail.phase` of the entry written right before each buy. */
export const BUY_STARTED = { operation: 'buy', phase: 'started' } as const;

/**
 * From the audit trail: the live licenses this purchase's first buy attempt saw before buying, and
 * how many buys it started.
 */
export function earlierBuysIn(trail: readonly AuditEntry[]): EarlierBuys {
  const started = trail.filter((e) => e.type === AUDIT.vendorCall && e.detail?.operation === BUY_STARTED.operation && e.detail.phase === BUY_STARTED.phase);
  const ids = started[0]?.detail?.liveBefore;
  return { snapshot: Array.isArray(ids) ? ids.filter((id): id is number => typeof id === 'number') : undefined, buys: started.length };
}

/** What BuyLicense does first. */
export type BuyEntry =
  /** The license is recorded: return it (and, for pay-now, pay its open invoice) without buying. */
  | { kind: 'recorded'; licenseId: number }
  /** An earlier attempt of THIS purchase started a buy: look for its license before buying again. */
  | { kind: 'settle-earlier'; snapshot: number[]; lastBuy: boolean }
  /** Nothing was bought, or an earlier attempt died before calling the vendor: check the price and buy. */
  | { kind: 'buy' };

/** Where a purchase stands on entry to BuyLicense. Without a snapshot an earlier attempt died before calling the vendor. */
export function decideBuyEntry(record: PurchaseRecord | undefined, earlier: EarlierBuys): BuyEntry {
  if (record?.licenseId) return { kind: 'recorded', licenseId: Number(record.licenseId) };
  if (earlier.snapshot && (record?.status === 'PURCHASING' || record?.invoice !== undefined)) {
    return { kind: 'settle-earlier', snapshot: earlier.snapshot, lastBuy: earlier.buys >= MAX_BUY_ATTEMPTS };
  }
  return { kind: 'buy' };
}

/** After settling an earlier buy by listing, when no license of it was found. */
export type UnfoundEarlierBuy =
  /** The vendor answered an invoice: its license is not listed yet (LicenseNotFoundError, retried). */
  | { kind: 'invoice-unlisted'; invoice: number }
  /**
   * Every buy had an unknown outcome and none is listed a few seconds after the last: that one may
   * still land. Not a failure whose budget is given back: a person checks (NEEDS_ATTENTION keeps
   * the reservation), and the reconciler looks again.
   */
  | { kind: 'may-still-land'; buys: number }
  /** Proven not bought and attempts left: buy again. */
  | { kind: 'buy-again' };

/** What an earlier buy that left no license behind means for this invocation. */
export function decideUnfoundEarlierBuy(record: PurchaseRecord | undefined, earlier: EarlierBuys): UnfoundEarlierBuy {
  if (record?.invoice !== undefined) return { kind: 'invoice-unlisted', invoice: record.invoice };
  if (earlier.buys >= MAX_BUY_ATTEMPTS) return { kind: 'may-still-land', buys: earlier.buys };
  return { kind: 'buy-again' };
}

/** What an error of `api_buy_license*` means. */
export type BuyErrorMeaning =
  /** "Already licensed" after an earlier buy of unknown outcome: that buy's license may be the live one. */
  | 'reconcile'
  /** The vendor refused: nothing was bought. */
  | 'refused'
  /** The call may or may not have reached the vendor. */
  | 'unknown';

/** `earlier`: whether an earlier invocation's buy, which may still land late, precedes this one. */
export function meaningOfBuyError(err: unknown, earlier: boolean): BuyErrorMeaning {
  if (err instanceof LicenseAlreadyExistsError && earlier) return 'reconcile';
  return err instanceof VendorTransientError ? 'unknown' : 'refused';
}

/** `use_prepay` of the buy: prepay variant for leave-unpaid / prepay-only; pay-now is plain api_buy_license, which uses PrePay when it covers the cost. */
export function usePrepayFor(policy: InterserverPaymentPolicy): boolean | undefined {
  if (policy === 'leave-unpaid') return false;
  if (policy === 'prepay-only') return true;
  return undefined;
}

/**
 * Whether an amount is within the approved quote, to the cent: the catalog price of the type
 * before buying, and an invoice before paying it (never above the approved amount).
 */
export function withinApproved(amountUsd: number, approvedUsd: number): boolean {
  return toCents(amountUsd) <= toCents(approvedUsd);
}

/** The newest of `live` that was not live before the buy (`liveBefore`). */
export function newLicenseAmong(live: readonly InterserverLicense[], liveBefore: readonly number[] | undefined): InterserverLicense | undefined {
  const before = new Set(liveBefore ?? []);
  return live.filter((l) => !before.has(l.id)).sort((a, b) => b.id - a.id)[0];
}

/** The license's open invoices, which of them to pay now, and whether the result counts as paid. */
export function invoicesOfLicense(
  policy: InterserverPaymentPolicy,
  licenseId: number,
  unpaid: readonly InterserverInvoice[],
): { open: InterserverInvoice[]; toPay: InterserverInvoice[]; paid: boolean } {
  const open = unpaid.filter((i) => i.serviceId === licenseId && !i.paid);
  return { open, toPay: policy === 'pay-now' ? open : [], paid: policy === 'pay-now' || open.length === 0 };
}
