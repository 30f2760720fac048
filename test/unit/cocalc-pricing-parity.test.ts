import { describe, expect, it } from 'vitest';
import { computeSiteLicenseCost, type CocalcCostInput } from '../../lambdas/vendors/cocalc/core/pricing';
import { computeLicenseCost } from '../../lib/local/sandboxes/cocalc/license-cost';
import { seededRandom } from '../support/seeded-random';

/**
 * Two readings of CoCalc's v3 price formula (shared/vendors/cocalc-api-v2.md §5), written apart:
 * procure's quote (lambdas/vendors/cocalc/core/pricing.ts, exact rationals) and the sandbox's charge
 * (lib/local/sandboxes/cocalc/license-cost.ts, integer cents over cleared denominators). They must
 * agree to the cent on every description, including the ones procure's own validation would refuse
 * (the vendor does not enforce the store's limits, §4.2) and fractional quantities.
 */

const USERS = ['academic', 'business'] as const;
const PERIODS = ['monthly', 'yearly', 'range'] as const;
const UPTIMES = ['short', 'medium', 'day', 'always_running'] as const;
const DAY_MS = 86_400_000;
const MONTH_MS = 30.5 * DAY_MS;

function generator(seed: number) {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  /**
   * A resource amount: the store's regular or boost limits, beyond them, zero, a fraction, or a
   * whole amount plus a millionth or so (which lands a price just above a whole cent, where §5's
   * `- 0.00001` decides).
   */
  const amount = (regular: [number, number]) =>
    pick([
      () => int(...regular),
      () => int(0, regular[1]),
      () => int(regular[1], 1000),
      () => 0,
      () => int(0, 400) / 8,
      () => Number((random() * 50).toFixed(int(1, 4))),
      () => int(...regular) + int(1, 30) / 1_000_000,
    ])();
  const quantity = () => pick([() => 1, () => int(1, 30), () => int(1, 10_000), () => 10_000, () => int(2, 40) / 4])();
  const rangeLength = () =>
    pick([
      () => MONTH_MS * int(1, 24),
      () => MONTH_MS * int(1, 24) + pick([-1, 1]),
      () => int(1, 730) * DAY_MS,
      () => int(1, 730) * DAY_MS - 1,
      () => int(1, 10 * DAY_MS),
      () => int(1, 400) * 3_600_000 + int(0, 999),
    ])();
  return (): CocalcCostInput => {
    const period = pick(PERIODS);
    const start = Date.UTC(2026, int(0, 11), int(1, 28), int(0, 23), int(0, 59));
    return {
      user: pick(USERS),
      period,
      // A subscription may carry a range; §4.2 says pricing ignores it.
      ...(period === 'range' || random() < 0.3 ? { range: [new Date(start).toISOString(), new Date(start + rangeLength()).toISOString()] } : {}),
      run_limit: quantity(),
      ram: amount([4, 16]),
      cpu: amount([1, 3]),
      disk: amount([10, 15]),
      member: random() < 0.5,
      uptime: pick(UPTIMES),
      boost: random() < 0.2,
    };
  };
}

describe('the sandbox prices CoCalc licenses as procure quotes them', () => {
  const next = generator(0x10c0ca1c);
  const cases = Array.from({ length: 800 }, next);

  it('covers every user, period, uptime and member combination, and fractional inputs', () => {
    const combos = new Set(cases.map((d) => `${d.user}/${d.period}/${d.uptime}/${d.member}`));
    expect(combos.size).toBe(USERS.length * PERIODS.length * UPTIMES.length * 2);
    expect(cases.some((d) => !Number.isInteger(d.ram) || !Number.isInteger(d.cpu) || !Number.isInteger(d.disk))).toBe(true);
    expect(cases.some((d) => !Number.isInteger(d.run_limit))).toBe(true);
    expect(cases.some((d) => d.run_limit === 10_000)).toBe(true);
  });

  it('agrees to the cent on all 800 generated descriptions, field by field', () => {
    const disagreements = cases.flatMap((d) => {
      const quoted = computeSiteLicenseCost(d);
      const charged = computeLicenseCost(d);
      return JSON.stringify(quoted) === JSON.stringify(charged) ? [] : [{ description: d, quoted, charged }];
    });

    expect(disagreements.slice(0, 3)).toEqual([]);
    expect(disagreements).toHaveLength(0);
  });

  it('yields cent amounts for what the checkout charges', () => {
    for (const d of cases) {
      const { lineItemAmount, costPerUnit, costSubYear } = computeLicenseCost(d);
      for (const usd of [lineItemAmount, costPerUnit, costSubYear]) expect(Math.round(usd * 100) / 100).toBe(usd);
    }
  });
});

describe('the sandbox formula on the worked examples of §5', () => {
  const base = { user: 'academic', period: 'monthly', run_limit: 1, ram: 4, cpu: 1, disk: 10, member: true, uptime: 'short' } as const;

  it('prices cpu1/ram2/disk3 business monthly member short x3 at $31.50', () => {
    expect(computeLicenseCost({ ...base, user: 'business', ram: 2, cpu: 1, disk: 3, run_limit: 3 }).lineItemAmount).toBe(31.5);
  });

  it('prices the doc example (ram16 cpu2 disk10 member medium business monthly x1) at $63.75/mo', () => {
    expect(computeLicenseCost({ ...base, user: 'business', ram: 16, cpu: 2, uptime: 'medium' }).lineItemAmount).toBe(63.75);
  });

  it('prices academic yearly ram4 cpu1 disk10 member short at $7.50/mo and $90/yr', () => {
    const c = computeLicenseCost({ ...base, period: 'yearly' });
    expect([c.costSubMonth, c.lineItemAmount]).toEqual([7.5, 90]);
  });

  it('prices the same config over exactly 30.5 days x2 at $10 per unit, $20 in all', () => {
    const c = computeLicenseCost({
      ...base,
      period: 'range',
      run_limit: 2,
      range: ['2026-08-01T00:00:00.000Z', new Date(Date.UTC(2026, 7, 1) + MONTH_MS).toISOString()],
    });
    expect([c.costPerUnit, c.lineItemAmount]).toEqual([10, 20]);
  });

  it('refuses a range whose dates do not parse, and an unknown user', () => {
    expect(() => computeLicenseCost({ ...base, period: 'range', range: ['2026-08-01T00:00:00.000Z', 'soon'] })).toThrow('Invalid time value');
    expect(() => computeLicenseCost({ ...base, user: 'student' })).toThrow(RangeError);
  });
});
