import { LicenseNotFoundError } from './errors';
import type { LicensesByVendor } from './vendor-licenses';
import { recordStep, type PurchaseJournal } from './purchase-journal';
import type { NormalizedLicense, WorkflowState } from './workflow';

/** What VerifyLicense needs. */
export interface VerifyLicenseDeps extends PurchaseJournal {
  /** Each vendor's listing (its folder's core/licenses.ts). */
  licenses: LicensesByVendor;
  clock?: () => Date;
}

/**
 * VerifyLicense: the purchase is only done when the vendor's own listing shows the new license.
 * Missing -> LicenseNotFoundError, which the machine retries (listings can lag a purchase).
 */
export async function verifyLicense(deps: VerifyLicenseDeps, state: WorkflowState): Promise<NormalizedLicense> {
  const clock = deps.clock ?? (() => new Date());
  const licenseId = state.purchase?.licenseId;
  if (!licenseId) throw new LicenseNotFoundError(`purchase ${state.purchaseId} has no license id to verify`);

  const license = await deps.licenses[state.request.vendor].find(licenseId, state, clock());

  await recordStep(deps, state.purchaseId, {
    type: 'LICENSE_VERIFIED',
    status: 'PURCHASED',
    message: `The vendor lists license ${license.id} (${license.status})`,
    detail: { ...license },
  });
  return license;
}
