/**
 * The sandbox's own copy of CoCalc's v3 price formula, written from the vendor notes
 * (shared/vendors/cocalc-api-v2.md §5), not shared with procure: the sandbox stands in for the
 * vendor, so a quote that procure gets wrong must disagree with what the sandbox charges.
 * test/unit/cocalc-pricing-parity.test.ts compares the two on many generated descriptions.
 *
 * Method: §5's unit prices have small denominators once written as fractions
 *   ram_u  = 1 × .625 / .6 / 2 = 25/48 per GB
 *   cpu_u  = 5 / .6 / 2        = 25/6  = 200/48 per vCPU
 *   disk_u = 6.25 × .04 / .6   = 5/12  = 20/48 per GB
 * so the monthly price is one fraction of integers,
 *   m = (25 × (ram + 8 cpu) × F + 20 disk) × user × period / 48,
 * where F folds the uptime, always-running and member factors (all whole numbers together), and
 * the decimal inputs are scaled to integers by a common power of ten. Every rounding of §5 is then
 * one integer ceiling in cents (BigInt), with no float or decimal.js drift to reason about.
 */

export type LicensePeriod = 'monthly' | 'yearly' | 'range';

/** A line's price, in USD, under the names the checkout reports (§4.7 `cost`). */
export interface LicenseCost {
  /** `cost_per_unit × quantity`, before the checkout rounds the line (§5). */
  cost: number;
  costPerUnit: number;
  costPerProjectPerMonth: number;
  costSubMonth: number;
  costSubYear: number;
  quantity: number;
  period: LicensePeriod;
  /** `round2up(cost)`: the amount the checkout charges for the line (§4.7, §5). */
  lineItemAmount: number;
}

/** The description fields §5 prices by (the caller has checked their types). */
export interface PricedDescription {
  user: string;
  period: string;
  range?: readonly unknown[];
  run_limit: number;
  ram: number;
  cpu: number;
  disk: number;
  member: unknown;
  uptime: unknown;
}

/** §5 `{short:1, medium:2, day:4}[uptime]`. */
const UPTIME_FACTOR: Record<string, bigint> = { short: 1n, medium: 2n, day: 4n };
/** §5 `user == "academic" ? 0.6 : 1`, as [numerator, denominator]. */
const USER_FACTOR: Record<string, readonly [bigint, bigint]> = { academic: [3n, 5n], business: [1n, 1n] };
/** §5 `SUB_DISCOUNT` by period (`range` is the vendor's `no`). */
const PERIOD_FACTOR: Record<string, readonly [bigint, bigint]> = { range: [1n, 1n], monthly: [9n, 10n], yearly: [3n, 4n] };
/** §5: a month of a range license is 30.5 days. */
const MONTH_MS = 2_635_200_000n;

/** Prices a site-license description by §5; throws a RangeError for what §5 cannot price. */
export function computeLicenseCost(d: PricedDescription): LicenseCost {
  const user = USER_FACTOR[d.user];
  const period = PERIOD_FACTOR[d.period];
  if (!user || !period) throw new RangeError(`cannot price user ${String(d.user)}, period ${String(d.period)}`);
  const monthCents = monthlyCents(d, user, period);
  const unitCents = d.period === 'monthly' ? monthCents : d.period === 'yearly' ? 12n * monthCents : rangeUnitCents(d, monthCents);
  const quantity = toScaled([d.run_limit]);
  const [runLimit] = quantity.values;
  // cost = unit × run_limit, exactly: (unitCents × runLimit) / (100 × scale) dollars.
  const costNumerator = unitCents * (runLimit ?? 0n);
  return {
    cost: Number(costNumerator) / Number(100n * quantity.scale),
    costPerUnit: cents(unitCents),
    costPerProjectPerMonth: cents(monthCents),
    costSubMonth: cents(monthCents),
    costSubYear: cents(12n * monthCents),
    quantity: d.run_limit,
    period: d.period as LicensePeriod,
    lineItemAmount: cents(ceilDiv(costNumerator, quantity.scale)),
  };
}

/** §5 up to `m = round2up(m - 0.00001)`, in cents. */
function monthlyCents(d: PricedDescription, user: readonly [bigint, bigint], period: readonly [bigint, bigint]): bigint {
  const always = d.uptime === 'always_running';
  const member = Boolean(d.member) || d.uptime === 'day' || always; // requiresMemberhosting
  // An unknown uptime gets no factor here; the vendor's sanity check fails the purchase anyway (§4.2).
  // always running: ×2, and ×3.5 more when member-hosted (2 × 3.5 = 7)
  let factor = always ? (member ? 7n : 2n) : (UPTIME_FACTOR[String(d.uptime)] ?? 1n);
  if (member) factor *= 2n;
  const { values, scale } = toScaled([d.ram, d.cpu, d.disk]);
  const [ram = 0n, cpu = 0n, disk = 0n] = values;
  // m = numerator / denominator dollars
  const numerator = (25n * (ram + 8n * cpu) * factor + 20n * disk) * user[0] * period[0];
  const denominator = 48n * scale * user[1] * period[1];
  // ceil(100 × (m − 1/100000)) = ceil((100000 × num − den) / (1000 × den))
  return ceilDiv(100_000n * numerator - denominator, 1000n * denominator);
}

/** §5 `round2up(m × (end − start) / (30.5 × 86400000))`, in cents. */
function rangeUnitCents(d: PricedDescription, monthCents: bigint): bigint {
  const start = new Date(d.range?.[0] as string).getTime();
  const end = new Date(d.range?.[1] as string).getTime();
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('Invalid time value');
  return ceilDiv(monthCents * BigInt(end - start), MONTH_MS);
}

/** The smallest integer >= a / b, for b > 0 (BigInt division truncates toward zero). */
function ceilDiv(a: bigint, b: bigint): bigint {
  return a > 0n ? (a + b - 1n) / b : a / b;
}

const cents = (n: bigint): number => Number(n) / 100;

/**
 * Numbers as integers over one shared power of ten: `{values: [15n, 2n], scale: 10n}` for
 * `[1.5, 0.2]`. Each number counts as the decimal it prints as (0.1 is one tenth).
 */
function toScaled(numbers: readonly number[]): { values: bigint[]; scale: bigint } {
  const decimals = numbers.map(decimalOf);
  const places = Math.max(0, ...decimals.map((x) => x.places));
  return {
    values: decimals.map((x) => x.digits * 10n ** BigInt(places - x.places)),
    scale: 10n ** BigInt(places),
  };
}

/** `x` as `digits / 10^places`, from its shortest printed form (exponent notation included). */
function decimalOf(x: number): { digits: bigint; places: number } {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const [mantissa = '0', exponent = '0'] = String(x).split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  const digits = BigInt(whole + fraction); // BigInt('-12') keeps the sign
  const places = fraction.length - Number(exponent);
  return places >= 0 ? { digits, places } : { digits: digits * 10n ** BigInt(-places), places: 0 };
}

/**
 * §5 `round2up`, as the vendor writes it in floats: `r = parseFloat(x.toFixed(2))`, `r` if it is
 * not below `x`, else `parseFloat((x + 0.01).toFixed(2))`. Used for cash vouchers (§4.7).
 */
export function round2up(x: number): number {
  const r = parseFloat(x.toFixed(2));
  return r >= x ? r : parseFloat((x + 0.01).toFixed(2));
}
