import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoSpendGuard } from '../adapters/aws/dynamo-spend-guard';
import { InvalidRequestError, ProcureError } from '../core/errors';
import type { InterserverGateway, SpendGuard } from '../core/ports';
import { quotePurchase } from '../core/quote-purchase';
import { documentClient } from '../shared/aws-clients/dynamodb';
import { autoApproveConfig, budgetConfig, tablesConfig } from '../shared/config';
import { errorResponse, json, parseJsonBody } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { interserverGateway } from '../composition/interserver';

/**
 * POST /quotes: what a purchase request would cost, the vendor's budget left this month and
 * whether a person would have to approve it (core/quote-purchase.ts). 200 with the quote (and any
 * `problems` that would stop it later), 400 with every reason intake would refuse it for, 502
 * when InterServer's catalog cannot be read.
 *
 * Nothing is written anywhere, and this function could not if it tried: its role reads budget
 * counters (GetItem on the state table) and the InterServer secret, nothing else (no audit table,
 * no Step Functions, no mail). A quote is not audited: it changes nothing, has no purchase to
 * file it under, and anyone allowed to quote could otherwise fill the append-only trail; the API's
 * access log (when on) records who asked.
 */
export interface QuotesApiDeps {
  interserver: () => Promise<InterserverGateway>;
  spendGuard: Pick<SpendGuard, 'remaining'>;
  autoApproveMaxUsd: number;
  clock?: () => Date;
}

/** InterServer's catalog could not be read: the price is unknown, not the request wrong. */
export class CatalogUnavailableError extends ProcureError {
  override name = 'CatalogUnavailableError';
}

export function makeHandler(deps: QuotesApiDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const interserverCatalog = async () => {
    try {
      return await (await deps.interserver()).getLicenseTypes();
    } catch (err) {
      logger.error('reading the InterServer catalog failed', { error: err as Error });
      throw new CatalogUnavailableError('could not read the InterServer catalog; try again later');
    }
  };
  return async (event) => {
    try {
      if (event.httpMethod?.toUpperCase() !== 'POST') return json(404, { error: 'NotFound', message: 'no such route' });
      const quote = await quotePurchase(
        { interserverCatalog, spendGuard: deps.spendGuard, autoApproveMaxUsd: deps.autoApproveMaxUsd, ...(deps.clock ? { clock: deps.clock } : {}) },
        parseJsonBody(event),
      );
      return json(200, quote);
    } catch (err) {
      if (err instanceof InvalidRequestError) return json(400, { error: 'InvalidRequest', message: err.message, reasons: err.issues.length ? err.issues : [err.message] });
      if (err instanceof CatalogUnavailableError) return json(502, { error: 'VendorUnavailable', message: err.message });
      return errorResponse(err);
    }
  };
}

/** Builds the real dependencies; runs once per cold start. */
export function defaultDeps(): QuotesApiDeps {
  const tables = tablesConfig();
  return {
    interserver: interserverGateway,
    spendGuard: new DynamoSpendGuard(documentClient(), tables.stateTable, budgetConfig()),
    autoApproveMaxUsd: autoApproveConfig().autoApproveMaxUsd,
  };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
