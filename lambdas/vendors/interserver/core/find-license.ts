import { InvalidLicenseIdError, LicenseNotFoundError } from '../../../core/errors';
import type { LicenseFinder } from '../../../core/license-finder';
import { normalizeInterserverLicense } from '../../../core/license-view';
import type { NormalizedLicense, WorkflowState } from '../../../core/workflow';
import type { InterserverGateway, InterserverLicense } from './ports';

/** Why a listed InterServer license is not the one this purchase asked for (IP and type), if it is not. */
export function interserverLicenseMismatch(
  licenseId: string,
  license: Pick<InterserverLicense, 'ip' | 'type'>,
  state: Pick<WorkflowState, 'request' | 'quote'>,
): string | undefined {
  const { request } = state;
  // Never a match for another vendor's purchase: only InterServer's licenses are looked up here.
  if (request.vendor !== 'interserver') return `InterServer license ${licenseId} is not for this ${request.vendor} purchase`;
  if (license.ip === request.item.ip && license.type === state.quote?.interserverTypeId) return undefined;
  return `InterServer license ${licenseId} is for ${license.ip} type ${license.type}, not ${request.item.ip} type ${state.quote?.interserverTypeId}`;
}

/** VerifyLicense's look at InterServer: the license by id, and it must be for this purchase's IP and type. */
export function interserverLicenseFinder(gateway: () => Promise<InterserverGateway>): LicenseFinder<'interserver'> {
  return { vendor: 'interserver', find: (licenseId, state) => findInterserverLicense(gateway, licenseId, state) };
}

async function findInterserverLicense(gateway: () => Promise<InterserverGateway>, licenseId: string, state: WorkflowState): Promise<NormalizedLicense> {
  let license: InterserverLicense;
  try {
    license = await (await gateway()).getLicense(Number(licenseId));
  } catch (err) {
    if (err instanceof InvalidLicenseIdError) throw new LicenseNotFoundError(`InterServer does not list license ${licenseId}: ${err.message}`);
    throw err;
  }
  // The license must be the one this purchase asked for, not merely some license with that id.
  const mismatch = interserverLicenseMismatch(licenseId, license, state);
  if (mismatch) throw new LicenseNotFoundError(mismatch);
  return normalizeInterserverLicense(license, state.quote?.interserverTypeName);
}
