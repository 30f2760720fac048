import type { VendorQuoter } from '../../../core/vendor-quoter';
import type { SiteLicenseDescription } from './license';
import { computeSiteLicenseCost } from './pricing';

/**
 * CoCalc's price: the v3 formula's line amount (./pricing.ts), which is what CoCalc's checkout
 * charges and what Checkout requires its checkout-params total to equal, to the cent. No vendor call.
 */
export const cocalcQuoter: VendorQuoter<'cocalc'> = {
  vendor: 'cocalc',
  price: async ({ item: { description } }) => ({ amountUsd: computeSiteLicenseCost(description).lineItemAmount, summary: describeSiteLicense(description) }),
};

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
