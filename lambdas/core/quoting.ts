import type { SiteLicenseDescription } from '../vendors/cocalc/core/license';
import { computeSiteLicenseCost } from '../vendors/cocalc/core/pricing';
import { InvalidRequestError, MaxCostExceededError } from './errors';
import { formatUsd, toCents } from './money';
import type { InterserverLicenseType } from './ports';
import type { PurchaseRequest } from './purchase-request';

/**
 * Quoting policy, pure: which catalog entry a request means, whether the price is acceptable to
 * the requester, whether a human must approve, and the one-line summary the approver reads.
 */

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

/** A request's price as the workflow quotes it. */
export interface PricedRequest {
  amountUsd: number;
  /** The one line an approver reads. */
  summary: string;
  /** InterServer: the catalog entry the request names. */
  type?: InterserverLicenseType;
}

/**
 * The price ValidateAndQuote quotes and `POST /quotes` answers, from one place so the two cannot
 * disagree. CoCalc: the v3 formula's line amount (vendors/cocalc/core/pricing.ts), which is what CoCalc's
 * checkout charges and what Checkout requires its checkout-params total to equal, to the cent.
 * InterServer: the catalog price of the type (`api_get_license_types`), read through `catalog`;
 * throws InvalidRequestError naming item.licenseType when the catalog has no such type.
 */
export async function priceRequest(request: PurchaseRequest, catalog: () => Promise<readonly InterserverLicenseType[]>): Promise<PricedRequest> {
  if (request.vendor === 'cocalc') {
    const description = request.item.description;
    return { amountUsd: computeSiteLicenseCost(description).lineItemAmount, summary: describeSiteLicense(description) };
  }
  const type = resolveInterserverType(await catalog(), request.item.licenseType);
  return { amountUsd: type.cost, summary: describeInterserverLicense(type, request.item.ip, request.item.coupon), type };
}

/** Throws MaxCostExceededError when the quote is above the requester's own limit (to the cent). */
export function assertWithinMaxCost(amountUsd: number, maxCost: number | undefined): void {
  if (maxCost !== undefined && toCents(amountUsd) > toCents(maxCost)) {
    throw new MaxCostExceededError(`the quote of ${formatUsd(amountUsd)} is above the requested maxCost of ${formatUsd(maxCost)}`);
  }
}

/** "CoCalc site license: business, monthly, run limit 1, 16 GB RAM, 2 vCPU, 10 GB disk, member hosting, medium uptime". */
export function describeSiteLicense(d: SiteLicenseDescription): string {
  const period = d.period === 'range' && d.range ? `${d.range[0].slice(0, 10)} to ${d.range[1].slice(0, 10)}` : d.period;
  const parts = [
    d.user,
    period,
    `run limit ${d.run_limit}`,
    `${d.ram} GB RAM`,
    `${d.cpu} vCPU`,
    `${d.disk} GB disk`,
    d.member ? 'member hosting' : 'standard hosting',
    `${d.uptime.replace('_', ' ')} uptime`,
  ];
  if (d.boost) parts.push('boost');
  const title = d.title ? ` "${d.title}"` : '';
  return `CoCalc site license${title}: ${parts.join(', ')}`;
}

/** "InterServer license: Softaculous (5006) for 203.0.113.7, $3.00/month". */
export function describeInterserverLicense(type: InterserverLicenseType, ip: string, coupon?: string): string {
  const couponNote = coupon ? ` (coupon ${coupon} may lower it)` : '';
  return `InterServer license: ${type.name} (${type.id}) for ${ip}, ${formatUsd(type.cost)}/month${couponNote}`;
}
