import type { PurchaseRequest } from './purchase-request';
import type { Vendor } from './vendor-names';
import type { Quote } from './workflow';

/** What a vendor adds to the workflow's quote for its own later steps (InterServer: the catalog type it bought by). */
export type VendorQuoteFields = Partial<Omit<Quote, 'vendor' | 'amountUsd' | 'summary' | 'autoApprove' | 'approvalTier' | 'approvalsNeeded'>>;

/** A request's price as its vendor quotes it. */
export interface PricedItem {
  amountUsd: number;
  /** The one line an approver reads. */
  summary: string;
  /** Carried in `$.quote` for the vendor's own steps. */
  quote?: VendorQuoteFields;
  /** Added to the answer of `POST /quotes` (InterServer: `interserverType`). */
  answer?: Readonly<Record<string, unknown>>;
}

/** The request of one vendor. */
export type RequestOf<V extends Vendor> = Extract<PurchaseRequest, { vendor: V }>;

/**
 * How a vendor prices a request (issue #10: each vendor implements it in its folder,
 * lambdas/vendors/<vendor>/core/quoter.ts). ValidateAndQuote and `POST /quotes` both price
 * through it, so the two cannot disagree. It throws InvalidRequestError (naming the item's field)
 * when the item names nothing the vendor sells; any other error means the price could not be read.
 */
export interface VendorQuoter<V extends Vendor = Vendor> {
  /** The vendor whose prices it reads (so one cannot stand in for another vendor's). */
  readonly vendor: V;
  price(request: RequestOf<V>): Promise<PricedItem>;
}

/** Each vendor's quoter, by vendor. */
export type QuotersByVendor = { readonly [V in Vendor]: VendorQuoter<V> };

/** `request` priced by its own vendor's quoter. */
export async function priceRequest(quoters: QuotersByVendor, request: PurchaseRequest): Promise<PricedItem> {
  const quoter = quoters[request.vendor] as unknown as VendorQuoter | undefined;
  if (quoter?.vendor !== request.vendor) throw new Error(`no quoter of ${request.vendor} is wired (found ${quoter?.vendor})`);
  return quoter.price(request);
}
