import type { Vendor } from './vendor-names';
import type { NormalizedLicense, WorkflowState } from './workflow';

/**
 * A vendor's own listing of the licenses its account holds, as VerifyLicense and GET /licenses
 * read it (issue #10: each vendor implements it in its folder, lambdas/vendors/<vendor>/core/
 * licenses.ts, so procure's core names no vendor). Licenses come in the one normalized shape.
 */
export interface VendorLicenses<V extends Vendor = Vendor> {
  /** The vendor whose listing it reads (so one cannot stand in for another vendor's). */
  readonly vendor: V;
  /**
   * The purchase's license, or LicenseNotFoundError, which the state machine retries (a listing can
   * lag a purchase), also when the listed license is not the one the purchase asked for.
   */
  find(licenseId: string, state: WorkflowState, now: Date): Promise<NormalizedLicense>;
  /** Every license the account holds. */
  list(now: Date): Promise<NormalizedLicense[]>;
}

/** Each vendor's listing, by vendor. */
export type LicensesByVendor = { readonly [V in Vendor]: VendorLicenses<V> };
