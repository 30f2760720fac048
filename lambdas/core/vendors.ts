import { REGISTERED_PROFILES } from '#vendors/profiles';
import type { VendorErrorMeanings, VendorProfile } from './vendor-profile';
import type { VENDORS, Vendor } from './vendor-names';

export { byVendor, capitalized, vendorLabel, VENDORS, type Vendor } from './vendor-names';

/**
 * procure's vendors' profiles (issue #10), from the registry (./registered-profiles.ts): one for
 * each name of ./vendor-names.ts, in its order,
 * which the type below requires. A vendor's folder (lambdas/vendors/<vendor>/) declares its profile
 * (./vendor-profile.ts); the request schema (./purchase-request.ts), the vendor secrets' contract
 * (lambdas/shared/vendor-secret-shapes.ts) and the caps' defaults derive from this list, its CDK
 * needs from lib/vendor-stacks.ts. Order matters where vendors are listed together (GET /licenses,
 * the CLI).
 */
export const VENDOR_PROFILES = REGISTERED_PROFILES satisfies ProfilesOf<typeof VENDORS>;

/** One profile for each name, in order: a tuple as long as the names. */
type ProfilesOf<Names extends readonly string[]> = { readonly [K in keyof Names]: VendorProfile<Names[K] & string> };

/**
 * The profile of `vendor`, a registered vendor (the type above gives each one a profile). A name
 * that is not registered, passed off as one (stored data older than a vendor's removal), throws
 * rather than returning nothing its type does not admit; code reading stored data uses findProfile().
 */
export function profileOf<V extends Vendor>(vendor: V): Extract<(typeof VENDOR_PROFILES)[number], { name: V }> {
  const profile = findProfile(vendor);
  if (!profile) throw new Error(`vendor ${JSON.stringify(vendor)} is not registered`);
  return profile as Extract<(typeof VENDOR_PROFILES)[number], { name: V }>;
}

/** The profile of a vendor named in stored data: undefined for one no longer registered. */
export function findProfile(vendor: string): VendorProfile | undefined {
  return VENDOR_PROFILES.find((p) => p.name === vendor);
}

/**
 * The error names a vendor's profile gives one meaning (its `errorMeanings`): none for a vendor
 * that gives none, or that is no longer registered (an execution older than its removal).
 */
export function errorsMeaning(vendor: string, meaning: keyof VendorErrorMeanings): readonly string[] {
  return findProfile(vendor)?.errorMeanings?.[meaning] ?? [];
}
