import { computeLicenseCost, round2up, type LicenseCost, type PricedDescription } from './license-cost';
import { isRecord } from './endpoint';

/**
 * What the vendor's checkout does with a stored description (cocalc-api-v2.md §4.2, §4.7, §5),
 * with its messages: `computeCost` first (for the total), `sanity_checks` later, per item, inside
 * the purchase transaction. Prices come from the sandbox's own reading of §5 (license-cost.ts).
 */

const UPTIMES = ['short', 'medium', 'day', 'always_running'];
const RESOURCES = ['ram', 'cpu', 'disk'] as const;

/** Prices a `site-license` item, or throws the vendor's error for it. */
export function priceSiteLicense(description: unknown): LicenseCost {
  const d = isRecord(description) ? description : {};
  if (d.type === 'vm' || d.type === 'disk') throw new Error(`computing cost of item of type ${d.type} is deprecated`);
  const range = Array.isArray(d.range) ? (d.range as unknown[]) : undefined;
  // computeCost returns undefined here, and the checkout reports it like this (§5).
  if ((d.period === 'range' && range?.[1] == null) || d.run_limit == null) throw new Error('bug cost must not be null');
  if (d.user !== 'academic' && d.user !== 'business') throw new Error(`unknown user ${String(d.user)}`);
  if (d.period !== 'monthly' && d.period !== 'yearly' && d.period !== 'range') {
    throw new Error('BUG -- a subscription must be yearly or monthly or a partial period');
  }
  // The vendor's float math turns a non-number into NaN, NaN slips through the balance check, and
  // sanity_checks then fails the purchase: the same message, reached earlier.
  if (!RESOURCES.every((f) => typeof d[f] === 'number' && d[f] >= 0) || typeof d.run_limit !== 'number' || !datesParse(d)) {
    sanityCheckSiteLicense(d);
  }
  return computeLicenseCost(d as unknown as PricedDescription);
}

/** A range whose dates do not parse prices as NaN at the vendor; sanity_checks says why. */
function datesParse(d: Record<string, unknown>): boolean {
  const range = Array.isArray(d.range) ? (d.range as unknown[]) : [];
  return d.period !== 'range' || range.slice(0, 2).every((t) => !Number.isNaN(new Date(t as string).getTime()));
}

/** `sanity_checks` (`util/licenses/purchase/sanity-checks.ts`), in the vendor's order. */
export function sanityCheckSiteLicense(d: Record<string, unknown>): void {
  if (d.period === 'range') {
    const [start, end] = Array.isArray(d.range) ? (d.range as unknown[]) : [];
    if (start == null) throw new Error('must have start date set');
    if (end == null) throw new Error('start and end dates must both be given if not a subscription');
    const s = new Date(start as string).getTime();
    const e = new Date(end as string).getTime();
    // The vendor would fail writing such a date to the license; JS says it like this.
    if (Number.isNaN(s) || Number.isNaN(e)) throw new RangeError('Invalid time value');
    if (e <= s) throw new Error('end date must be after start date');
  }
  for (const f of RESOURCES) {
    const field = `custom_${f}`;
    if (typeof d[f] !== 'number') throw new Error(`field "${field}" must be number`);
    // The vendor's upper bound is MAX[field], which is undefined, so only "< 0" ever fires (§4.2).
    if ((d[f] as number) < 0) throw new Error(`field "${field}" too small or too big`);
  }
  if (typeof d.uptime !== 'string') throw new Error('field "custom_uptime" must be set');
  if (!UPTIMES.includes(d.uptime)) throw new Error('field "custom_uptime" must be one of short, medium, day or "always_running"');
  if (typeof d.member !== 'boolean') throw new Error('field "custom_member" must be boolean');
  // Sandbox-only (§8 asks to validate run_limit; the vendor itself only rejects null, above):
  // a nonsense quantity would otherwise be priced as NaN or create a license for 0 projects.
  if (typeof d.run_limit !== 'number' || !(d.run_limit >= 1)) {
    throw new Error('field "run_limit" must be a number >= 1 (sandbox check)');
  }
}

/** A `cash-voucher` item (§4.7 buys them too): `amount` × `numVouchers`, nothing when an admin pays. */
export function priceCashVoucher(description: unknown): LicenseCost {
  const d = isRecord(description) ? description : {};
  const amount = d.whenPay === 'admin' ? 0 : d.amount;
  const quantity = d.numVouchers ?? 1;
  if (typeof amount !== 'number' || typeof quantity !== 'number') throw new Error('bug cost must not be null');
  const cost = round2up(amount * quantity);
  return {
    cost,
    costPerUnit: amount,
    costPerProjectPerMonth: 0,
    costSubMonth: 0,
    costSubYear: 0,
    quantity,
    period: 'range',
    lineItemAmount: cost,
  };
}
