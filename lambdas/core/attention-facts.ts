import type { HeldItemId } from './held-item';
import type { CleanupStep } from './cleanup-steps';

/**
 * What a vendor's profile reads to say what a person should check in its account when a purchase
 * ends as NEEDS_ATTENTION (VendorProfile.attentionChecks). Pure data, no secret; the times and the
 * amount come already worded so every vendor words them alike.
 */
export interface AttentionFacts {
  purchaseId: string;
  /**
   * "since 2030-01-02 03:04 UTC": since the request, not until the end, because a vendor can apply
   * a call after procure gave up on it.
   */
  since: string;
  /** " of $18.00", or '' when no amount is known. */
  cost: string;
  cartItemId?: HeldItemId;
  licenseId?: string;
  invoice?: number;
  /** Compensation steps that did not finish; the reconciler retries them. */
  cleanupPending: readonly CleanupStep[];
}

/** The check every vendor starts with when procure recorded a license. */
export function recordedLicenseCheck(facts: Pick<AttentionFacts, 'licenseId'>): string[] {
  return facts.licenseId ? [`License ${facts.licenseId}: procure recorded it as bought; does the account hold it?`] : [];
}
