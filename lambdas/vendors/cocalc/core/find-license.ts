import { LicenseNotFoundError } from '../../../core/errors';
import type { LicenseFinder } from '../../../core/license-finder';
import { normalizeCocalcLicense } from '../../../core/license-view';
import { cocalcManagedLicensePages } from './managed-licenses';
import type { CocalcGateway } from './ports';

/** get-managed is newest first (§6): a new license is on the first pages. */
const COCALC_PAGING = { pageSize: 50, maxPages: 20 };

/** VerifyLicense's look at CoCalc: the license among the account's managed licenses. */
export function cocalcLicenseFinder(gateway: () => Promise<CocalcGateway>): LicenseFinder<'cocalc'> {
  return {
    vendor: 'cocalc',
    find: async (licenseId, _state, now) => {
      for await (const licenses of cocalcManagedLicensePages(await gateway(), COCALC_PAGING)) {
        const found = licenses.find((l) => l.id === licenseId);
        if (found) return normalizeCocalcLicense(found, now);
      }
      throw new LicenseNotFoundError(`CoCalc does not list license ${licenseId} among the account's managed licenses`);
    },
  };
}
