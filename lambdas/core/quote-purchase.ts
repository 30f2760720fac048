import { profileOf } from './vendors';
import { InvalidRequestError, ProcureError } from './errors';
import { formatUsd, fromCents, toCents } from './money';
import type { SpendGuard } from './ports';
import { intakeIssues, parsePurchaseRequest, type PurchaseRequest, type Vendor } from './purchase-request';
import { priceRequest, type PricedItem, type QuotersByVendor, type VendorQuoteAnswer } from './vendor-quoter';
import { describeTier, tierFor, type ApprovalPolicy } from './approval-policy';

/**
 * A risk-free quote (issue #13 §4, `POST /quotes`, `procure quote`): what a purchase request
 * would cost, what is left of the vendor's budget this month, and whether a person would have to
 * approve it, without doing any of it. Nothing is reserved, added to a cart, mailed or audited:
 * the only vendor call is the vendor's quoter's (InterServer: its catalog read), and the only state
 * read is the month's budget counter. Validation is intake's own (same parser, same time-dependent
 * check) and pricing is ValidateAndQuote's own (vendor-quoter.ts priceRequest), so a quote cannot
 * promise what the workflow would then refuse or price differently.
 */

export interface QuotePurchaseDeps {
  /** Each vendor's pricing (core/vendor-quoter.ts); only the request's vendor's is called. */
  quoters: QuotersByVendor;
  spendGuard: Pick<SpendGuard, 'remaining'>;
  /** The workflow's approval policy by amount (APPROVAL_POLICY). */
  policy: ApprovalPolicy;
  clock?: () => Date;
}

export interface PurchaseQuote extends VendorQuoteAnswer {
  requestId: string;
  vendor: Vendor;
  /** What the workflow would quote (and the approver approve), USD. */
  amountUsd: number;
  /** The line the approval mail would show. */
  summary: string;
  /** Where the price comes from: the vendor profile's `priceSource.id` ('cocalc-v3-formula', 'interserver-catalog'). */
  priceSource: string;
  budget: {
    /** YYYY-MM (UTC): the month a reservation made now would count against. */
    month: string;
    capUsd: number;
    /** Reserved or spent this month by other purchases. */
    reservedUsd: number;
    remainingUsd: number;
    /** What would be left if this purchase were reserved now (negative when it does not fit). */
    remainingAfterUsd: number;
    fits: boolean;
  };
  approval: {
    /** True when policy would skip the person (the amount's tier needs 0 approvals). */
    autoApprove: boolean;
    /** The tier of the amount, 1-based. */
    tier: number;
    /** Distinct approvals it would need. */
    approvalsNeeded: number;
    /** Who would be asked first (escalation approvers are asked later and count too). */
    approvers: string[];
    /** In words: "tier 2 (above $50.00 up to $500.00): any 1 of 2 approvers". */
    reason: string;
  };
  /**
   * What would stop a submitted request after intake accepted it (its maxCost, the month's
   * budget), each naming what to change. Empty when nothing would, as far as can be known now.
   */
  problems: string[];
  /** When the budget was read (the quote's time). */
  quotedAt: string;
}

/**
 * Validates and prices `body` as intake and ValidateAndQuote would. Throws InvalidRequestError
 * with every issue (each naming its field) when intake or ValidateAndQuote would refuse the request.
 * `price` reads the price through the request's vendor's quoter ({@link quoteRequest} guards it).
 */
export async function quotePurchase(
  deps: QuotePurchaseDeps,
  body: unknown,
  price: (request: PurchaseRequest) => Promise<PricedItem> = (request) => priceRequest(deps.quoters, request),
): Promise<PurchaseQuote> {
  const now = (deps.clock ?? (() => new Date()))();
  const request = parsePurchaseRequest(body);
  const late = intakeIssues(request, now);
  if (late.length) throw new InvalidRequestError(`invalid purchase request: ${late.join('; ')}`, late);

  const [priced, budget] = await Promise.all([price(request), deps.spendGuard.remaining(request.vendor, now)]);
  const amountUsd = priced.amountUsd;
  const month = now.toISOString().slice(0, 7);
  const afterCents = toCents(budget.remainingUsd) - toCents(amountUsd);

  const problems: string[] = [];
  if (request.maxCost !== undefined && toCents(amountUsd) > toCents(request.maxCost)) {
    problems.push(
      `maxCost: the quote of ${formatUsd(amountUsd)} is above the requested maxCost of ${formatUsd(request.maxCost)}; the purchase would fail at PreparePurchase, its quote`,
    );
  }
  if (afterCents < 0) {
    problems.push(
      `budget: ${formatUsd(amountUsd)} is more than the ${formatUsd(budget.remainingUsd)} left of ${request.vendor}'s ${formatUsd(budget.capUsd)} for ${month}; the purchase would fail at PreparePurchase, its budget reservation`,
    );
  }

  const tier = tierFor(deps.policy, amountUsd);
  return {
    // The vendor's own fields first: none of them can stand in for procure's.
    ...priced.answer,
    requestId: request.requestId,
    vendor: request.vendor,
    amountUsd,
    summary: priced.summary,
    priceSource: profileOf(request.vendor).priceSource.id,
    budget: {
      month,
      capUsd: budget.capUsd,
      reservedUsd: budget.reservedUsd,
      remainingUsd: budget.remainingUsd,
      remainingAfterUsd: fromCents(afterCents),
      fits: afterCents >= 0,
    },
    approval: {
      autoApprove: tier.approvals === 0,
      tier: tier.index + 1,
      approvalsNeeded: tier.approvals,
      approvers: [...tier.approvers],
      reason: describeTier(deps.policy, tier),
    },
    problems,
    quotedAt: now.toISOString(),
  };
}

/** The vendor's prices could not be read: the price is unknown, not the request wrong (POST /quotes answers 502). */
export class PriceSourceUnavailableError extends ProcureError {
  override name = 'PriceSourceUnavailableError';
}

/** What POST /quotes needs. */
export interface QuoteRequestDeps extends QuotePurchaseDeps {
  /** Where a price source's own error is logged; the answer only says the prices are unavailable. */
  log: { error(message: string, extra: Record<string, unknown>): void };
}

/**
 * {@link quotePurchase} where a quoter's failure to read its prices (anything but the request's own
 * InvalidRequestError) becomes a PriceSourceUnavailableError naming the vendor's price source.
 */
export function quoteRequest(deps: QuoteRequestDeps, body: unknown): Promise<PurchaseQuote> {
  return quotePurchase(deps, body, async (request) => {
    try {
      return await priceRequest(deps.quoters, request);
    } catch (err) {
      if (err instanceof InvalidRequestError) throw err;
      const source = profileOf(request.vendor).priceSource.description;
      deps.log.error(`reading ${source} failed`, { error: err as Error });
      throw new PriceSourceUnavailableError(`could not read ${source}; try again later`);
    }
  });
}
