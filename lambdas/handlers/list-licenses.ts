import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { listLicenses, parseVendor, type ListLicensesDeps } from '../core/list-licenses';
import type { Vendor } from '../core/vendor-names';
import { vendorLicenses } from '#vendors/licenses';
import { errorResponse, json } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';

/**
 * GET /licenses?vendor=cocalc|interserver (absent = both): every license the accounts hold, in
 * the one normalized shape (lambdas/core/list-licenses.ts). A bad vendor is a 400 naming the
 * allowed values; a vendor that cannot be listed is a 502 naming the vendor (its error text stays
 * in the log).
 */
export function makeHandler(deps: ListLicensesDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return async (event) => {
    let vendors: readonly Vendor[];
    try {
      vendors = parseVendor(event.queryStringParameters?.vendor);
    } catch (err) {
      return errorResponse(err);
    }
    const listing = await listLicenses(deps, vendors);
    if ('licenses' in listing) return json(200, { licenses: listing.licenses });
    logger.error('listing licenses failed', { vendor: listing.unavailable, error: listing.error as Error });
    return json(502, { error: 'VendorUnavailable', message: `could not list the ${listing.unavailable} licenses; try again later` });
  };
}

/** Production wiring, once per cold start. */
export function defaultDeps(): ListLicensesDeps {
  return { licenses: vendorLicenses() };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
