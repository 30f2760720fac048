import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { cocalcManagedLicensePages } from '../core/cocalc-managed-licenses';
import { InvalidRequestError } from '../core/errors';
import { normalizeCocalcLicense, normalizeInterserverLicense } from '../core/license-view';
import type { CocalcGateway, InterserverGateway } from '../core/ports';
import { VENDORS, type Vendor } from '../core/purchase-request';
import type { NormalizedLicense } from '../core/workflow';
import { errorResponse, json } from '../shared/http';
import { lazyHandler } from '../shared/lazy-handler';
import { logger } from '../shared/logger';
import { cocalcGateway } from '../composition/cocalc';
import { interserverGateway } from '../composition/interserver';

/** What GET /licenses needs. */
export interface ListLicensesDeps {
  cocalc: () => Promise<CocalcGateway>;
  interserver: () => Promise<InterserverGateway>;
  clock?: () => Date;
}

/** maxPages is a safety stop for a runaway listing; far above any real account. */
const COCALC_PAGING = { pageSize: 100, maxPages: 100 };

/**
 * GET /licenses?vendor=cocalc|interserver (absent = both): every license the accounts hold, in
 * the one normalized shape. A bad vendor is a 400 naming the allowed values; a vendor that cannot
 * be listed is a 502 naming the vendor (its error text stays in the log).
 */
export function makeHandler(deps: ListLicensesDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const clock = deps.clock ?? (() => new Date());
  const listers: Record<Vendor, () => Promise<NormalizedLicense[]>> = {
    cocalc: async () => listCocalc(await deps.cocalc(), clock()),
    interserver: async () => listInterserver(await deps.interserver()),
  };
  return async (event) => {
    let vendors: readonly Vendor[];
    try {
      vendors = parseVendor(event.queryStringParameters?.vendor);
    } catch (err) {
      return errorResponse(err);
    }
    // Both vendors at once; the answer is as if listed in order: the first vendor (in VENDORS
    // order) that cannot be listed is the one the 502 names.
    const listed = await Promise.allSettled(vendors.map((vendor) => listers[vendor]()));
    const licenses: NormalizedLicense[] = [];
    for (const [i, result] of listed.entries()) {
      if (result.status === 'rejected') {
        const vendor = vendors[i]!;
        logger.error('listing licenses failed', { vendor, error: result.reason as Error });
        return json(502, { error: 'VendorUnavailable', message: `could not list the ${vendor} licenses; try again later` });
      }
      licenses.push(...result.value);
    }
    return json(200, { licenses });
  };
}

function parseVendor(value: string | undefined): readonly Vendor[] {
  if (value === undefined || value === '') return VENDORS;
  if ((VENDORS as readonly string[]).includes(value)) return [value as Vendor];
  const issue = `vendor: must be one of ${VENDORS.map((v) => `"${v}"`).join(', ')} (or absent for all), not ${JSON.stringify(value)}`;
  throw new InvalidRequestError(`invalid query: ${issue}`, [issue]);
}

async function listCocalc(gateway: CocalcGateway, now: Date): Promise<NormalizedLicense[]> {
  const out: NormalizedLicense[] = [];
  for await (const licenses of cocalcManagedLicensePages(gateway, COCALC_PAGING)) {
    out.push(...licenses.map((l) => normalizeCocalcLicense(l, now)));
  }
  return out;
}

async function listInterserver(gateway: InterserverGateway): Promise<NormalizedLicense[]> {
  const [licenses, types] = await Promise.all([gateway.listLicenses(), gateway.getLicenseTypes()]);
  const names = new Map(types.map((t) => [t.id, t.name]));
  return licenses.map((l) => normalizeInterserverLicense(l, names.get(l.type)));
}

/** Production wiring, once per cold start. */
export function defaultDeps(): ListLicensesDeps {
  return { cocalc: () => cocalcGateway(), interserver: () => interserverGateway() };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
