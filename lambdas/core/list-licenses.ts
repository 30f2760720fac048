import { cocalcManagedLicensePages } from '../vendors/cocalc/core/managed-licenses';
import { InvalidRequestError } from './errors';
import { normalizeCocalcLicense, normalizeInterserverLicense } from './license-view';
import type { CocalcGateway, InterserverGateway } from './ports';
import { VENDORS, type Vendor } from './purchase-request';
import type { NormalizedLicense } from './workflow';

/** What listing the licenses needs. */
export interface ListLicensesDeps {
  cocalc: () => Promise<CocalcGateway>;
  interserver: () => Promise<InterserverGateway>;
  clock?: () => Date;
}

/** maxPages is a safety stop for a runaway listing; far above any real account. */
const COCALC_PAGING = { pageSize: 100, maxPages: 100 };

/** Every license the accounts hold, or the first vendor (in the order asked) that could not be listed and why. */
export type LicenseListing = { licenses: NormalizedLicense[] } | { unavailable: Vendor; error: unknown };

/**
 * GET /licenses: every license the vendors' accounts hold, in the one normalized shape. Both
 * vendors at once; the answer is as if listed in order: the first vendor (in VENDORS order) that
 * cannot be listed is the one named.
 */
export async function listLicenses(deps: ListLicensesDeps, vendors: readonly Vendor[]): Promise<LicenseListing> {
  const clock = deps.clock ?? (() => new Date());
  const listers: Record<Vendor, () => Promise<NormalizedLicense[]>> = {
    cocalc: async () => listCocalc(await deps.cocalc(), clock()),
    interserver: async () => listInterserver(await deps.interserver()),
  };
  return firstUnavailable(vendors, await Promise.allSettled(vendors.map((vendor) => listers[vendor]())));
}

/** The listings in order, or the first vendor whose listing failed. */
export function firstUnavailable(vendors: readonly Vendor[], listed: ReadonlyArray<PromiseSettledResult<NormalizedLicense[]>>): LicenseListing {
  const licenses: NormalizedLicense[] = [];
  for (const [i, result] of listed.entries()) {
    if (result.status === 'rejected') return { unavailable: vendors[i]!, error: result.reason };
    licenses.push(...result.value);
  }
  return { licenses };
}

/** `?vendor=`: one vendor, or (absent or empty) all of them; anything else is an InvalidRequestError naming the allowed values. */
export function parseVendor(value: string | undefined): readonly Vendor[] {
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
