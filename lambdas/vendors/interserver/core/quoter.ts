import type {} from './quote-fields';
import { InvalidRequestError } from '../../../core/errors';
import { formatUsd } from '../../../core/money';
import type { VendorQuoter } from '../../../core/vendor-quoter';
import type { InterserverGateway, InterserverLicenseType } from './ports';

/**
 * InterServer's price: the catalog price of the type (`api_get_license_types`), read through the
 * gateway, built only when an InterServer request is priced. Throws InvalidRequestError naming
 * item.licenseType when the catalog has no such type.
 */
export function interserverQuoter(gateway: () => Promise<InterserverGateway>): VendorQuoter<'interserver'> {
  return {
    vendor: 'interserver',
    price: async ({ item }) => {
      const type = resolveInterserverType(await (await gateway()).getLicenseTypes(), item.licenseType);
      return {
        amountUsd: type.cost,
        summary: describeInterserverLicense(type, item.ip, item.coupon),
        quote: { interserverTypeId: type.id, interserverTypeName: type.name },
        answer: { interserverType: { id: type.id, name: type.name } },
      };
    },
  };
}

/**
 * The catalog entry a request names: by id (a number, or a string of digits) or by exact name,
 * case-insensitively. Throws InvalidRequestError naming the type when it is unknown or ambiguous.
 */
export function resolveInterserverType(types: readonly InterserverLicenseType[], licenseType: number | string): InterserverLicenseType {
  const wanted = typeof licenseType === 'string' ? licenseType.trim() : licenseType;
  const byId = typeof wanted === 'number' || /^\d+$/.test(wanted) ? types.find((t) => t.id === Number(wanted)) : undefined;
  if (byId) return byId;
  const byName = typeof wanted === 'string' ? types.filter((t) => t.name.trim().toLowerCase() === wanted.toLowerCase()) : [];
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    const ids = byName.map((t) => t.id).join(', ');
    const issue = `item.licenseType: "${licenseType}" names several InterServer license types (${ids}); use the id`;
    throw new InvalidRequestError(`invalid purchase request: ${issue}`, [issue]);
  }
  const issue = `item.licenseType: unknown InterServer license type ${JSON.stringify(licenseType)}`;
  throw new InvalidRequestError(`invalid purchase request: ${issue}`, [issue]);
}

/** "InterServer license: Softaculous (5006) for 203.0.113.7, $3.00/month". */
export function describeInterserverLicense(type: InterserverLicenseType, ip: string, coupon?: string): string {
  const couponNote = coupon ? ` (coupon ${coupon} may lower it)` : '';
  return `InterServer license: ${type.name} (${type.id}) for ${ip}, ${formatUsd(type.cost)}/month${couponNote}`;
}
