import type { PurchaseRequest } from './purchase-request';
import type { Vendor } from './vendor-names';
import type { VendorQuoteFields } from './workflow';

/**
 * What vendors add to the `POST /quotes` answer (quote-purchase.ts PurchaseQuote). Empty here:
 * each vendor declares its own by module augmentation (InterServer: vendors/interserver/core/quote-fields.ts).
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by the vendors (see above)
export interface VendorQuoteAnswer {}

/** A request's price as its vendor quotes it. */
export interface PricedItem {
  amountUsd: number;
  /** The one line an approver reads. */
  summary: string;
  /** Carried in `$.quote` for the vendor's own steps. */
  quote?: VendorQuoteFields;
  /** Added to the answer of `POST /quotes` (VendorQuoteAnswer above; InterServer: `interserverType`). */
  answer?: VendorQuoteAnswer;
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
