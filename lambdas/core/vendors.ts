import { cocalcProfile } from '../vendors/cocalc/core/profile';
import { interserverProfile } from '../vendors/interserver/core/profile';
import type { VendorProfile } from './vendor-profile';

/**
 * procure's vendors: one line each (issue #10). A vendor's folder (lambdas/vendors/<vendor>/)
 * declares its profile (./vendor-profile.ts); the request schema (./purchase-request.ts), the
 * list of vendors and the vendor secrets' contract (lambdas/shared/vendor-secret-shapes.ts) derive
 * from this list. Order matters where vendors are listed together (GET /licenses, the CLI).
 */
export const VENDOR_PROFILES = [cocalcProfile, interserverProfile] as const satisfies readonly VendorProfile[];

export type Vendor = (typeof VENDOR_PROFILES)[number]['name'];

/** The vendors' names, in registry order. */
export const VENDORS: readonly Vendor[] = VENDOR_PROFILES.map((p) => p.name);

/** Whether `value` names one of procure's vendors. */
export function isVendor(value: unknown): value is Vendor {
  return (VENDORS as readonly unknown[]).includes(value);
}

/** A vendor's name with its first letter capitalized, as construct ids and output names use it: `Cocalc`. */
export function capitalized<V extends Vendor>(vendor: V): Capitalize<V> {
  return `${vendor.charAt(0).toUpperCase()}${vendor.slice(1)}` as Capitalize<V>;
}

/** The profile of `vendor`. */
export function profileOf(vendor: Vendor): (typeof VENDOR_PROFILES)[number] {
  return VENDOR_PROFILES.find((p) => p.name === vendor)!;
}
