/**
 * CoCalc's v3 site-license cost formula (shared/vendors/cocalc-api-v2.md §5), pure and exact.
 *
 * procure's workflow quotes with it before approval. The CoCalc sandbox charges with its own,
 * separately written reading of §5 (lib/local/sandboxes/cocalc/license-cost.ts), so a mistake here
 * shows up as a checkout that disagrees with the quote; test/unit/cocalc-pricing-parity.test.ts
 * compares the two on many generated descriptions.
 *
 * The vendor computes with JS floats plus decimal.js for multiplications. Here every step is an
 * exact rational (BigInt numerator / denominator), so no float drift can creep in; the vendor's
 * `- 0.00001` before rounding (§5) exists precisely to absorb its own drift, and with exact values
 * it changes nothing except for true sub-cent remainders, which is what the vendor intends.
 */

/** §4.2 `user`: academic gets the 0.6 discount. */
export type CocalcUser = 'academic' | 'business';
/** §4.2 `period`: subscriptions, or a fixed `range`. */
export type CocalcPeriod = 'monthly' | 'yearly' | 'range';
/** §4.2 `uptime`: idle timeout 30 min / 2 h / 24 h, or always running. */
export type CocalcUptime = 'short' | 'medium' | 'day' | 'always_running';

/** The description fields that decide a price (a SiteLicenseDescription is assignable to it). */
export interface CocalcCostInput {
  user: CocalcUser;
  period: CocalcPeriod;
  /** `[isoStart, isoEnd]`; used only when `period` is `range` (§4.2). */
  range?: readonly [string, string];
  /** Number of projects that may run at once; also the price quantity. */
  run_limit: number;
  ram: number;
  cpu: number;
  disk: number;
  member: boolean;
  uptime: CocalcUptime;
  /** Accepted for completeness: the v3 formula does not price boost differently (§5). */
  boost?: boolean;
}

/** All amounts in USD. */
export interface CocalcCost {
  /** `costPerUnit × quantity`, before the checkout's final rounding. */
  cost: number;
  costPerUnit: number;
  costPerProjectPerMonth: number;
  costSubMonth: number;
  costSubYear: number;
  quantity: number;
  period: CocalcPeriod;
  /** `round2up(cost)`: what `purchases/shopping-cart-checkout` charges for this line (§4.7). */
  lineItemAmount: number;
}

// ---- exact rationals -------------------------------------------------------------------------
interface Q {
  n: bigint;
  d: bigint; // always > 0
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
function norm(n: bigint, d: bigint): Q {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}
/** The exact decimal a number prints as (its shortest round-trip form), e.g. 0.1 → 1/10. */
function q(x: number | string): Q {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(String(x).trim());
  if (!m) throw new RangeError(`not a finite number: ${String(x)}`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0) - frac.length;
  let n = BigInt((m[2] ?? '0') + frac) * (m[1] === '-' ? -1n : 1n);
  let d = 1n;
  if (exp >= 0) n *= 10n ** BigInt(exp);
  else d = 10n ** BigInt(-exp);
  return norm(n, d);
}
const add = (a: Q, b: Q): Q => norm(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Q, b: Q): Q => norm(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Q, b: Q): Q => norm(a.n * b.n, a.d * b.d);
const div = (a: Q, b: Q): Q => norm(a.n * b.d, a.d * b.n);
const toNumber = (a: Q): number => Number(a.n) / Number(a.d);

/** The smallest whole number of cents >= a. */
function ceilCents(a: Q): Q {
  const c = a.n * 100n;
  // BigInt division truncates toward zero, which is already the ceiling for negatives.
  const cents = c >= 0n ? (c + a.d - 1n) / a.d : c / a.d;
  return norm(cents, 100n);
}

/**
 * The vendor's `round2up` (§5): rounds UP to whole cents. The vendor's float version is
 * `r = parseFloat(x.toFixed(2)); r >= x ? r : parseFloat((x + 0.01).toFixed(2))`; this one gives
 * the same results for the value the number prints as, without the float round trip
 * (e.g. 1.005 → 1.01, 10.5 → 10.5, 2.001 → 2.01, -1.234 → -1.23).
 */
export function round2up(x: number): number {
  return toNumber(ceilCents(q(x)));
}

// ---- v3 parameters (§5) ----------------------------------------------------------------------
const GCE = { ram: q('0.625'), cpu: q('5'), disk: q('0.04'), nonPreFactor: q('3.5') };
const COST_MULTIPLIER = q('1');
const NONMEMBER_DENSITY = q('2');
const ACADEMIC_DISCOUNT = q('0.6');
const DISK_FACTOR = q('6.25');
const ALWAYS_RUNNING_FACTOR = q('2');
const RAM_UNIT = div(div(mul(COST_MULTIPLIER, GCE.ram), ACADEMIC_DISCOUNT), NONMEMBER_DENSITY); // 0.5208333…/GB
const CPU_UNIT = div(div(mul(COST_MULTIPLIER, GCE.cpu), ACADEMIC_DISCOUNT), NONMEMBER_DENSITY); // 4.1666667/vCPU
const DISK_UNIT = div(mul(DISK_FACTOR, GCE.disk), ACADEMIC_DISCOUNT); // 0.4166667/GB
const UPTIME_FACTOR: Record<string, Q> = { short: q(1), medium: q(2), day: q(4) };
const USER_DISCOUNT: Record<CocalcUser, Q> = { academic: q('0.6'), business: q(1) };
const PERIOD_DISCOUNT: Record<CocalcPeriod, Q> = { range: q(1), monthly: q('0.9'), yearly: q('0.75') };
/** §5: the vendor subtracts this before rounding up the monthly price. */
const ROUNDING_NUDGE = q('0.00001');
/** §5: a "month" of a range license is 30.5 days. */
const RANGE_MONTH_MS = q(30.5 * 86_400_000);

/**
 * Computes a CoCalc site license's price exactly as the vendor's v3 `computeCost` does (§5).
 * Throws a RangeError on input that cannot be priced (unknown user/period, a range period without
 * a valid `[start, end]`, a non-finite number); procure validates descriptions before this runs.
 */
export function computeSiteLicenseCost(d: CocalcCostInput): CocalcCost {
  const userDiscount = USER_DISCOUNT[d.user];
  const periodDiscount = PERIOD_DISCOUNT[d.period];
  if (!userDiscount) throw new RangeError(`unknown user ${String(d.user)}`);
  if (!periodDiscount) throw new RangeError(`unknown period ${String(d.period)}`);

  const alwaysRunning = d.uptime === 'always_running';
  // requiresMemberhosting: "day" and "always_running" force member hosting (§4.2, §5).
  const member = Boolean(d.member) || d.uptime === 'day' || alwaysRunning;

  let m = add(mul(q(d.ram), RAM_UNIT), mul(q(d.cpu), CPU_UNIT));
  if (alwaysRunning) {
    m = mul(m, ALWAYS_RUNNING_FACTOR);
    if (member) m = mul(m, GCE.nonPreFactor);
  } else {
    // The vendor skips the factor for an unknown uptime (its sanity check rejects it later).
    m = mul(m, UPTIME_FACTOR[d.uptime] ?? q(1));
  }
  if (member) m = mul(m, NONMEMBER_DENSITY);
  m = add(m, mul(q(d.disk), DISK_UNIT));
  m = mul(m, mul(userDiscount, periodDiscount));
  const perMonth = ceilCents(sub(m, ROUNDING_NUDGE));
  const perYear = mul(perMonth, q(12));

  let unit: Q;
  if (d.period === 'monthly') unit = perMonth;
  else if (d.period === 'yearly') unit = perYear;
  else {
    const start = d.range ? Date.parse(d.range[0]) : NaN;
    const end = d.range ? Date.parse(d.range[1]) : NaN;
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
      throw new RangeError('a range license needs a valid [start, end] range');
    }
    unit = ceilCents(div(mul(perMonth, q(end - start)), RANGE_MONTH_MS));
  }
  const quantity = q(d.run_limit);
  const cost = mul(unit, quantity);
  return {
    cost: toNumber(cost),
    costPerUnit: toNumber(unit),
    costPerProjectPerMonth: toNumber(perMonth),
    costSubMonth: toNumber(perMonth),
    costSubYear: toNumber(perYear),
    quantity: d.run_limit,
    period: d.period,
    lineItemAmount: toNumber(ceilCents(cost)),
  };
}
