import type { NormalizedLicense, WorkflowState } from './workflow';

/**
 * How VerifyLicense finds a purchase's license in its vendor's own listing (issue #10: each vendor
 * supplies its finder from its folder, lambdas/vendors/<vendor>/core/find-license.ts). Resolves to
 * the license as procure shows it, or throws LicenseNotFoundError, which the state machine retries
 * (a listing can lag a purchase), also when the listed license is not the one the purchase asked for.
 */
export type LicenseFinder = (licenseId: string, state: WorkflowState, now: Date) => Promise<NormalizedLicense>;
