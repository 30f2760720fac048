import { verifyLicense, type VerifyLicenseDeps } from '../core/verify-license';
import type { NormalizedLicense, WorkflowState } from '../core/workflow';
import { vendorLicenses } from '#vendors/licenses';
import { purchaseJournal } from '../composition/stores';
import { lazyHandler } from '../shared/lazy-handler';

/** VerifyLicense: the state is the input, the vendor's listing of the license the output (lambdas/core/verify-license.ts). */
export function makeHandler(deps: VerifyLicenseDeps): (state: WorkflowState) => Promise<NormalizedLicense> {
  return (state) => verifyLicense(deps, state);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): VerifyLicenseDeps {
  return { ...purchaseJournal(), licenses: vendorLicenses() };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
