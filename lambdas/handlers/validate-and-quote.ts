import { InvalidRequestError, QuoteMismatchError } from '../core/errors';
import { describeFailure } from '../core/failure';
import { formatUsd } from '../core/money';
import type { AuditLog, InterserverGateway, PurchaseStore } from '../core/ports';
import { parsePurchaseRequest } from '../core/purchase-request';
import { recordStep } from '../core/purchase-journal';
import { parseQuoteMismatch } from '../core/quote-mismatch';
import { assertWithinMaxCost, isAutoApproved, priceRequest } from '../core/quoting';
import type { Quote, WorkflowState } from '../core/workflow';
import { DynamoAuditLog } from '../adapters/aws/dynamo-audit-log';
import { DynamoPurchaseStore } from '../adapters/aws/dynamo-purchase-store';
import { documentClient } from '../shared/aws-clients/dynamodb';
import { autoApproveConfig, tablesConfig } from '../shared/config';
import { lazyHandler } from '../shared/lazy-handler';
import { interserverGateway } from '../composition/interserver';

/** What ValidateAndQuote needs. */
export interface ValidateAndQuoteDeps {
  audit: AuditLog;
  purchases: PurchaseStore;
  /** Built on first use: a CoCalc quote needs no vendor call at all. */
  interserver: () => Promise<InterserverGateway>;
  autoApproveMaxUsd: number;
}

/** Audit type of a re-quote after a mismatch; also how a second mismatch is recognized. */
const REQUOTED = 'REQUOTED';

/**
 * ValidateAndQuote: re-parses the request (defence in depth: the execution input could have been
 * started by hand), prices it, checks the requester's maxCost and decides whether a human must
 * approve. Entered again with `$.mismatch` when the vendor's checkout total differed from the
 * approved quote: then the vendor's total is the new quote, a human always approves it, and a
 * second mismatch ends the purchase instead of looping.
 */
export function makeHandler(deps: ValidateAndQuoteDeps): (state: WorkflowState) => Promise<Quote> {
  return async (state) => {
    const request = parsePurchaseRequest(state.request);
    // A CoCalc quote needs no vendor call: the InterServer gateway is built only for its catalog.
    const priced = await priceRequest(request, async () => (await deps.interserver()).getLicenseTypes());
    let amountUsd = priced.amountUsd;
    let summary = priced.summary;

    const requote = state.mismatch ? await readMismatch(state, deps.audit) : undefined;
    if (requote) {
      amountUsd = requote.vendorTotalUsd;
      summary = `${priced.summary}; re-quoted at the vendor's total ${formatUsd(requote.vendorTotalUsd)} (was ${formatUsd(requote.approvedUsd)})`;
    }
    assertWithinMaxCost(amountUsd, request.maxCost);

    const quote: Quote = {
      vendor: request.vendor,
      amountUsd,
      summary,
      ...(priced.type ? { interserverTypeId: priced.type.id, interserverTypeName: priced.type.name } : {}),
      autoApprove: isAutoApproved(amountUsd, deps.autoApproveMaxUsd, requote !== undefined),
    };

    if (requote) {
      await deps.audit.append(state.purchaseId, {
        type: REQUOTED,
        status: 'QUOTED',
        actor: 'system',
        message: `The vendor's total ${formatUsd(requote.vendorTotalUsd)} differs from the approved ${formatUsd(requote.approvedUsd)}: asking for approval again`,
        detail: { vendorTotalUsd: requote.vendorTotalUsd, approvedUsd: requote.approvedUsd, mismatch: requote.message },
      });
    }
    await recordStep(
      deps,
      state.purchaseId,
      {
        type: 'QUOTED',
        status: 'QUOTED',
        message: `${summary}: ${formatUsd(amountUsd)}${quote.autoApprove ? ' (auto-approved by policy)' : ''}`,
        detail: { amountUsd, autoApprove: quote.autoApprove, vendor: quote.vendor, summary },
      },
      { amountUsd },
    );
    return quote;
  };
}

/**
 * The vendor's total from `$.mismatch`. A purchase may be re-quoted once: a REQUOTED audit entry
 * for a different mismatch means this is the second one. The same mismatch again is this state
 * being retried, which is fine. (Two real mismatches never read the same: the second one's
 * "approved" amount is the first one's vendor total.)
 */
async function readMismatch(
  state: WorkflowState,
  audit: AuditLog,
): Promise<{ vendorTotalUsd: number; approvedUsd: number; message: string }> {
  const { message } = describeFailure(state.mismatch);
  const amounts = parseQuoteMismatch(message);
  if (!amounts) {
    throw new InvalidRequestError(`cannot re-quote: the mismatch carries no vendor total (${message})`);
  }
  const earlier = (await audit.list(state.purchaseId)).filter((e) => e.type === REQUOTED);
  if (earlier.some((e) => e.detail?.mismatch !== message)) {
    throw new QuoteMismatchError(
      `the vendor's total changed again (${formatUsd(amounts.vendorTotalUsd)} instead of the re-approved ${formatUsd(amounts.approvedUsd)}); ` +
        'not asking a third time',
    );
  }
  return { ...amounts, message };
}

/** Production wiring, once per cold start. */
export function defaultDeps(): ValidateAndQuoteDeps {
  const tables = tablesConfig();
  const doc = documentClient();
  return {
    audit: new DynamoAuditLog(doc, tables.auditTable),
    purchases: new DynamoPurchaseStore(doc, tables.stateTable),
    interserver: () => interserverGateway(),
    autoApproveMaxUsd: autoApproveConfig().autoApproveMaxUsd,
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
