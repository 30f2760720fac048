import { InvalidRequestError } from './errors';
import type { LicensesByVendor } from './vendor-licenses';
import { VENDORS, type Vendor } from './vendor-names';
import type { NormalizedLicense } from './workflow';

/** What listing the licenses needs. */
export interface ListLicensesDeps {
  /** Each vendor's listing (its folder's core/licenses.ts). */
  licenses: LicensesByVendor;
  clock?: () => Date;
}

/** Every license the accounts hold, or the first vendor (in the order asked) that could not be listed and why. */
export type LicenseListing = { licenses: NormalizedLicense[] } | { unavailable: Vendor; error: unknown };

/**
 * GET /licenses: every license the vendors' accounts hold, in the one normalized shape. Both
 * vendors at once; the answer is as if listed in order: the first vendor (in VENDORS order) that
 * cannot be listed is the one named.
 */
export async function listLicenses(deps: ListLicensesDeps, vendors: readonly Vendor[]): Promise<LicenseListing> {
  const now = (deps.clock ?? (() => new Date()))();
  return firstUnavailable(vendors, await Promise.allSettled(vendors.map(async (vendor) => deps.licenses[vendor].list(now))));
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
