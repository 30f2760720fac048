import type { Vendor } from './vendor-names';
import type { NormalizedLicense, WorkflowState } from './workflow';

/**
 * How VerifyLicense finds a purchase's license in its vendor's own listing (issue #10: each vendor
 * supplies its finder from its folder, lambdas/vendors/<vendor>/core/find-license.ts). Resolves to
 * the license as procure shows it, or throws LicenseNotFoundError, which the state machine retries
 * (a listing can lag a purchase), also when the listed license is not the one the purchase asked for.
 */
export interface LicenseFinder<V extends Vendor = Vendor> {
  /** The vendor whose listing it reads (so a finder cannot stand in for another vendor's). */
  readonly vendor: V;
  find(licenseId: string, state: WorkflowState, now: Date): Promise<NormalizedLicense>;
}
