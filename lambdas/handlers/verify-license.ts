import { verifyLicense, type VerifyLicenseDeps } from '../core/verify-license';
import type { NormalizedLicense, WorkflowState } from '../core/workflow';
import { cocalcGateway } from '../vendors/cocalc/composition/gateway';
import { cocalcLicenseFinder } from '../vendors/cocalc/core/find-license';
import { interserverGateway } from '../vendors/interserver/composition/gateway';
import { interserverLicenseFinder } from '../vendors/interserver/core/find-license';
import { purchaseJournal } from '../composition/stores';
import { lazyHandler } from '../shared/lazy-handler';

/** VerifyLicense: the state is the input, the vendor's listing of the license the output (lambdas/core/verify-license.ts). */
export function makeHandler(deps: VerifyLicenseDeps): (state: WorkflowState) => Promise<NormalizedLicense> {
  return (state) => verifyLicense(deps, state);
}

/** Production wiring, once per cold start. */
export function defaultDeps(): VerifyLicenseDeps {
  return { ...purchaseJournal(), licenses: { cocalc: cocalcLicenseFinder(cocalcGateway), interserver: interserverLicenseFinder(interserverGateway) } };
}

export const handler = lazyHandler(() => makeHandler(defaultDeps()));
