import { LicenseNotFoundError } from '../../../core/errors';
import { normalizeCocalcLicense } from './license-view';
import type { VendorLicenses } from '../../../core/vendor-licenses';
import type { NormalizedLicense } from '../../../core/workflow';
import { cocalcManagedLicensePages } from './managed-licenses';
import type { CocalcGateway } from './ports';

/** get-managed is newest first (§6): a purchase's new license is on the first pages. */
const FIND_PAGING = { pageSize: 50, maxPages: 20 };
/** maxPages is a safety stop for a runaway listing; far above any real account. */
const LIST_PAGING = { pageSize: 100, maxPages: 100 };

/** CoCalc's listing: the account's managed licenses (get-managed, paged). */
export function cocalcLicenses(gateway: () => Promise<CocalcGateway>): VendorLicenses<'cocalc'> {
  return {
    vendor: 'cocalc',
    find: async (licenseId, _state, now) => {
      for await (const licenses of cocalcManagedLicensePages(await gateway(), FIND_PAGING)) {
        const found = licenses.find((l) => l.id === licenseId);
        if (found) return normalizeCocalcLicense(found, now);
      }
      throw new LicenseNotFoundError(`CoCalc does not list license ${licenseId} among the account's managed licenses`);
    },
    list: async (now) => {
      const out: NormalizedLicense[] = [];
      for await (const licenses of cocalcManagedLicensePages(await gateway(), LIST_PAGING)) out.push(...licenses.map((l) => normalizeCocalcLicense(l, now)));
      return out;
    },
  };
}
