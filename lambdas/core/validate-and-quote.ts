import { AUDIT } from './audit-kinds';
import { InvalidRequestError, QuoteMismatchError } from './errors';
import { formatUsd } from './money';
import type { AuditEntry } from './ports';
import { parsePurchaseRequest, type PurchaseRequest } from './purchase-request';
import { recordStep, type PurchaseJournal } from './purchase-journal';
import { recordedMismatch, type QuoteMismatch } from './quote-mismatch';
import { assertWithinMaxCost } from './quoting';
import { priceRequest, type PricedItem, type QuotersByVendor } from './vendor-quoter';
import { approvalsRequired, tierFor, type ApprovalPolicy } from './approval-policy';
import type { Quote, WorkflowState } from './workflow';

/** What ValidateAndQuote needs. */
export interface ValidateAndQuoteDeps extends PurchaseJournal {
  /** Each vendor's pricing (core/vendor-quoter.ts). */
  quoters: QuotersByVendor;
  /** The approval policy by amount (APPROVAL_POLICY). */
  policy: ApprovalPolicy;
}

/** Audit type of a re-quote after a mismatch; also how a second mismatch is recognized. */
export const REQUOTED = AUDIT.requoted;

/**
 * The mismatch to re-quote, read from the trail (core/quote-mismatch.ts); InvalidRequestError when
 * the workflow says there was one but none with both amounts is recorded.
 */
function mismatchOf(trail: readonly AuditEntry[]): QuoteMismatch {
  const mismatch = recordedMismatch(trail);
  if (!mismatch) throw new InvalidRequestError('cannot re-quote: no recorded mismatch names the vendor total');
  return mismatch;
}

/**
 * A purchase may be re-quoted once: a REQUOTED audit entry for a different mismatch means this is
 * the second one. The same mismatch again is this state being retried, which is fine.
 */
function notAskedAgain(mismatch: QuoteMismatch, earlierRequotes: readonly AuditEntry[]): QuoteMismatch {
  if (earlierRequotes.some((e) => e.detail?.mismatch !== mismatch.seq)) {
    throw new QuoteMismatchError(
      `the vendor's total changed again (${formatUsd(mismatch.vendorTotalUsd)} instead of the re-approved ${formatUsd(mismatch.approvedUsd)}); ` +
        'not asking a third time',
    );
  }
  return mismatch;
}

/** The vendor's total from the trail's latest mismatch, unless it was already re-quoted for another ({@link notAskedAgain}). */
export function requoteOf(trail: readonly AuditEntry[]): QuoteMismatch {
  return notAskedAgain(
    mismatchOf(trail),
    trail.filter((e) => e.type === REQUOTED),
  );
}

/**
 * The quote: the vendor's price, or on a re-quote the vendor's total, which a person always
 * approves; its approval tier, and how many distinct approvals it needs (0: approved by policy).
 */
export function quoteOf(request: PurchaseRequest, priced: PricedItem, requote: QuoteMismatch | undefined, policy: ApprovalPolicy): Quote {
  const amountUsd = requote ? requote.vendorTotalUsd : priced.amountUsd;
  const approvalsNeeded = approvalsRequired(policy, amountUsd, requote !== undefined);
  const summary = requote
    ? `${priced.summary}; re-quoted at the vendor's total ${formatUsd(requote.vendorTotalUsd)} (was ${formatUsd(requote.approvedUsd)})`
    : priced.summary;
  return {
    // The vendor's own fields first: none of them can stand in for the amount or the approval.
    ...priced.quote,
    vendor: request.vendor,
    amountUsd,
    summary,
    autoApprove: approvalsNeeded === 0,
    approvalTier: tierFor(policy, amountUsd).index + 1,
    approvalsNeeded,
  };
}

/**
 * ValidateAndQuote: re-parses the request (defence in depth: the execution input could have been
 * started by hand), prices it, checks the requester's maxCost and decides whether a human must
 * approve. Entered again with `$.mismatch` when the vendor's checkout total differed from the
 * approved quote: then the vendor's total is the new quote, a human always approves it, and a
 * second mismatch ends the purchase instead of looping.
 */
export async function validateAndQuote(deps: ValidateAndQuoteDeps, state: WorkflowState): Promise<Quote> {
  const request = parsePurchaseRequest(state.request);
  const priced = await priceRequest(deps.quoters, request);
  // Entered from Checkout's QuoteMismatchError: the amounts are the ones it recorded in the trail.
  const requote = state.mismatch ? requoteOf(await deps.audit.list(state.purchaseId)) : undefined;
  const quote = quoteOf(request, priced, requote, deps.policy);
  const { amountUsd, summary } = quote;
  assertWithinMaxCost(amountUsd, request.maxCost);

  if (requote) {
    await deps.audit.append(state.purchaseId, {
      type: REQUOTED,
      status: 'QUOTED',
      actor: 'system',
      message: `The vendor's total ${formatUsd(requote.vendorTotalUsd)} differs from the approved ${formatUsd(requote.approvedUsd)}: asking for approval again`,
      detail: { vendorTotalUsd: requote.vendorTotalUsd, approvedUsd: requote.approvedUsd, mismatch: requote.seq },
    });
  }
  await recordStep(
    deps,
    state.purchaseId,
    {
      type: 'QUOTED',
      status: 'QUOTED',
      message: `${summary}: ${formatUsd(amountUsd)}${quote.autoApprove ? ' (auto-approved by policy)' : ''}`,
      detail: {
        amountUsd,
        autoApprove: quote.autoApprove,
        approvalTier: quote.approvalTier,
        approvalsNeeded: quote.approvalsNeeded,
        vendor: quote.vendor,
        summary,
      },
    },
    { amountUsd },
  );
  return quote;
}
