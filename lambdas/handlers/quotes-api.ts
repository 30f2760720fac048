import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvalidRequestError } from '../core/errors';
import { PriceSourceUnavailableError, quoteRequest, type QuoteRequestDeps } from '../core/quote-purchase';
import { vendorQuoters } from '#vendors/quoters';
import { spendGuard } from '../composition/stores';
import { approvalPolicyConfig } from '../shared/config';
import { errorResponse, json, parseJsonBody } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';

/**
 * POST /quotes: what a purchase request would cost, the vendor's budget left this month and
 * whether a person would have to approve it (core/quote-purchase.ts). 200 with the quote (and any
 * `problems` that would stop it later), 400 with every reason intake would refuse it for, 502
 * when the vendor's prices cannot be read (InterServer's catalog). Nothing is written anywhere, and this function could
 * not if it tried: its role reads budget counters and the InterServer secret, nothing else. A
 * quote is not audited: it changes nothing and has no purchase to file it under.
 */
export type QuotesApiDeps = Omit<QuoteRequestDeps, 'log'>;

export function makeHandler(deps: QuotesApiDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const wired = { ...deps, log: logger };
  return async (event) => {
    try {
      if (event.httpMethod?.toUpperCase() !== 'POST') return json(404, { error: 'NotFound', message: 'no such route' });
      return json(200, await quoteRequest(wired, parseJsonBody(event)));
    } catch (err) {
      if (err instanceof InvalidRequestError)
        return json(400, { error: 'InvalidRequest', message: err.message, reasons: err.issues.length ? err.issues : [err.message] });
      if (err instanceof PriceSourceUnavailableError) return json(502, { error: 'VendorUnavailable', message: err.message });
      return errorResponse(err);
    }
  };
}

/** Builds the real dependencies; runs once per cold start. */
export function defaultDeps(): QuotesApiDeps {
  return { quoters: vendorQuoters(), spendGuard: spendGuard(), policy: approvalPolicyConfig().policy };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
