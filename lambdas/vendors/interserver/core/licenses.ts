import { LicenseNotFoundError } from '../../../core/errors';
import { InvalidLicenseIdError } from './errors';
import type { VendorLicenses } from '../../../core/vendor-licenses';
import { normalizeInterserverLicense } from './license-view';
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

/**
 * InterServer's listing: a purchase's license by id (it must be for the purchase's IP and type),
 * or every license of the account with its catalog name.
 */
export function interserverLicenses(gateway: () => Promise<InterserverGateway>): VendorLicenses<'interserver'> {
  return {
    vendor: 'interserver',
    find: (licenseId, state) => findInterserverLicense(gateway, licenseId, state),
    list: async () => {
      const g = await gateway();
      const [licenses, types] = await Promise.all([g.listLicenses(), g.getLicenseTypes()]);
      const names = new Map(types.map((t) => [t.id, t.name]));
      return licenses.map((l) => normalizeInterserverLicense(l, names.get(l.type)));
    },
  };
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
