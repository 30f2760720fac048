import { vendorLabel } from './vendor-names';
import { errorsMeaning, type Vendor } from './vendors';

/**
 * Why a purchase did not complete, in words a requester reads (core/requester-notice.ts). Built
 * from the end status and the caught error's NAME only, never from its message, the stored
 * reason or a stack trace: those name internals, vendor responses and, at worst, secrets.
 */

/** Errors that mean the request, as written, could not be bought (and the vendor's own: its profile's `errorMeanings`). */
const REQUEST_ERRORS: ReadonlySet<string> = new Set(['InvalidRequestError', 'RequestConflictError']);

/** What the vendor's own error `error` means to a requester, if anything (vendor-profile.ts VendorErrorMeanings). */
function vendorMeaning(error: string | undefined, vendor: Vendor): 'as-written' | 'no-credit' | undefined {
  if (error === undefined) return undefined;
  if (errorsMeaning(vendor, 'noCredit').includes(error)) return 'no-credit';
  if ([...errorsMeaning(vendor, 'invalidRequest'), ...errorsMeaning(vendor, 'notSellable')].includes(error)) return 'as-written';
  return undefined;
}

/** The end of a purchase a person checked at the vendor and found not bought (`procure resolve --not-bought`). */
export const NOT_BOUGHT_AFTER_CHECK = 'NotBoughtAfterCheck';

/** Plain words for the errors a requester can understand or act on; anything else is generic. */
function failedBecause(error: string | undefined, vendorId: Vendor): string {
  const vendor = vendorLabel(vendorId);
  const meaning = vendorMeaning(error, vendorId);
  if (meaning === 'no-credit') return `the ${vendor} account does not have enough credit.`;
  switch (error) {
    case 'BudgetExceededError':
      return `it would have gone over this month's ${vendor} budget.`;
    case 'DailyLimitExceededError':
      return "procure's limit on purchases per day was reached.";
    case 'MaxCostExceededError':
      return 'the price was above the maximum cost (maxCost) in your request.';
    case 'QuoteMismatchError':
      return `${vendor}'s price changed after it was quoted.`;
    case 'ApprovalNotVerifiedError':
      return 'procure could not confirm the approval, so it bought nothing.';
    case NOT_BOUGHT_AFTER_CHECK:
      return `a person checked the ${vendor} account after its outcome was unclear and found it was not bought.`;
    default:
      if ((error && REQUEST_ERRORS.has(error)) || meaning === 'as-written') {
        return `${vendor} or procure could not accept the request as written (for example its IP address, coupon or license type).`;
      }
      return `a problem at ${vendor} or in procure stopped it. The operators have been told.`;
  }
}

/** What ended the purchase, for {@link plainReason}. */
export interface EndFacts {
  status: 'REJECTED' | 'EXPIRED' | 'INVALID' | 'FAILED' | 'NEEDS_ATTENTION';
  vendor: Vendor;
  /** The caught error's name (`BudgetExceededError`), when one ended it. Used to choose words only. */
  error?: string;
  /** REJECTED: who rejected it. */
  approver?: string;
}

/** One or two sentences saying why the purchase did not complete and whether money was spent. */
export function plainReason(end: EndFacts): string {
  const vendor = vendorLabel(end.vendor);
  switch (end.status) {
    case 'REJECTED':
      return `${end.approver ?? 'An approver'} rejected it. Nothing was bought.`;
    case 'EXPIRED':
      return 'Nobody approved it before the approval deadline. Nothing was bought.';
    case 'NEEDS_ATTENTION':
      return (
        `procure cannot tell yet whether ${vendor} charged for it. The approvers have been asked to check the ` +
        `${vendor} account and will settle it; you do not need to do anything.`
      );
    case 'INVALID':
    case 'FAILED':
      return `It did not go through because ${failedBecause(end.error, end.vendor)} Nothing was bought.`;
  }
}
