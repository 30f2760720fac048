import { describe, expect, it } from 'vitest';
import { computeSiteLicenseCost, round2up, type CocalcCostInput } from '../../lambdas/vendors/cocalc/core/pricing';
import { siteLicenseDescriptionSchema } from '../../lambdas/vendors/cocalc/core/license';

// Worked examples and rules: shared/vendors/cocalc-api-v2.md §5.
const base: CocalcCostInput = {
  user: 'academic',
  period: 'monthly',
  run_limit: 1,
  ram: 4,
  cpu: 1,
  disk: 10,
  member: true,
  uptime: 'short',
};
const DAY_MS = 86_400_000;
const rangeOf = (ms: number, start = '2026-08-01T00:00:00.000Z'): [string, string] => [start, new Date(Date.parse(start) + ms).toISOString()];

describe('computeSiteLicenseCost: the worked examples of §5, to the cent', () => {
  it('prices cpu1/ram2/disk3 business monthly member short x3 at $31.50 (the vendor test against prod)', () => {
    const c = computeSiteLicenseCost({ ...base, user: 'business', ram: 2, cpu: 1, disk: 3, run_limit: 3 });
    expect(c).toEqual({
      cost: 31.5,
      costPerUnit: 10.5,
      costPerProjectPerMonth: 10.5,
      costSubMonth: 10.5,
      costSubYear: 126,
      quantity: 3,
      period: 'monthly',
      lineItemAmount: 31.5,
    });
  });

  it('prices the doc example (ram16 cpu2 disk10 member medium business monthly x1) at $63.75/mo', () => {
    const c = computeSiteLicenseCost({ ...base, user: 'business', ram: 16, cpu: 2, disk: 10, uptime: 'medium' });
    expect([c.cost, c.costSubMonth, c.costSubYear, c.lineItemAmount]).toEqual([63.75, 63.75, 765, 63.75]);
  });

  it('prices academic yearly ram4 cpu1 disk10 member short at $7.50/mo and $90/yr', () => {
    const c = computeSiteLicenseCost({ ...base, period: 'yearly' });
    expect([c.costPerProjectPerMonth, c.costPerUnit, c.cost, c.lineItemAmount, c.period]).toEqual([7.5, 90, 90, 90, 'yearly']);
  });

  it('prices the same config over exactly 30.5 days x2 at $10 per unit, $20 in all', () => {
    const c = computeSiteLicenseCost({ ...base, period: 'range', range: rangeOf(30.5 * DAY_MS), run_limit: 2 });
    expect([c.costPerUnit, c.cost, c.lineItemAmount, c.costSubMonth]).toEqual([10, 20, 20, 10]);
  });

  it('accepts a validated SiteLicenseDescription as is (the workflow quotes with the same function)', () => {
    const description = siteLicenseDescriptionSchema.parse({
      user: 'business',
      period: 'monthly',
      run_limit: 1,
      ram: 16,
      cpu: 2,
      disk: 10,
      member: true,
      uptime: 'medium',
    });
    expect(computeSiteLicenseCost(description).lineItemAmount).toBe(63.75);
  });
});

describe('computeSiteLicenseCost: formula rules', () => {
  it('uses 30.5-day months for a range and rounds the unit up to the cent', () => {
    // One day of a $10/month academic range: 10 / 30.5 = 0.3278… -> 0.33.
    const c = computeSiteLicenseCost({ ...base, period: 'range', range: rangeOf(DAY_MS) });
    expect(c.costPerUnit).toBe(0.33);
    // 61 days is exactly two 30.5-day months.
    expect(computeSiteLicenseCost({ ...base, period: 'range', range: rangeOf(61 * DAY_MS) }).costPerUnit).toBe(20);
  });

  it('ignores a range for subscriptions', () => {
    const withRange = computeSiteLicenseCost({ ...base, range: rangeOf(DAY_MS) });
    expect(withRange.cost).toBe(computeSiteLicenseCost(base).cost);
  });

  it('subtracts 0.00001 before rounding the monthly price up', () => {
    // ram alone, business, non-member short range: m = ram * 0.5208333…
    const tiny = { ...base, user: 'business' as const, period: 'range' as const, cpu: 0, disk: 0, member: false };
    const range = rangeOf(30.5 * DAY_MS);
    // m = 0.000005 -> m - 0.00001 < 0 -> $0.00 (a plain round-up would say $0.01)
    expect(computeSiteLicenseCost({ ...tiny, range, ram: 0.0000096 }).costSubMonth).toBe(0);
    // m = 0.000015 -> $0.01
    expect(computeSiteLicenseCost({ ...tiny, range, ram: 0.0000288 }).costSubMonth).toBe(0.01);
  });

  it('makes "day" and "always_running" member-hosted even when member is false', () => {
    const day = { ...base, uptime: 'day' as const };
    expect(computeSiteLicenseCost({ ...day, member: false }).cost).toBe(computeSiteLicenseCost({ ...day, member: true }).cost);
    // always_running member: (ram+cpu) x 2 x 3.5 x 2: (4*0.5208333 + 4.1666667) * 14 = 87.5; + disk 4.1666667 = 91.6666667;
    // x 0.6 academic x 0.9 monthly = 49.50
    expect(computeSiteLicenseCost({ ...base, uptime: 'always_running', member: false }).cost).toBe(49.5);
  });

  it('applies the uptime factors short 1, medium 2, day 4 to RAM and CPU only', () => {
    const nonMember = { ...base, user: 'business' as const, period: 'range' as const, range: rangeOf(30.5 * DAY_MS), member: false };
    // (4*25/48 + 25/6) = 6.25 per month before factors; disk 10 * 5/12 = 4.1666667
    expect(computeSiteLicenseCost({ ...nonMember, uptime: 'short' }).costSubMonth).toBe(10.42); // 10.41667
    expect(computeSiteLicenseCost({ ...nonMember, uptime: 'medium' }).costSubMonth).toBe(16.67); // 16.66667
    expect(computeSiteLicenseCost({ ...nonMember, uptime: 'day' }).costSubMonth).toBe(54.17); // (25*2 member) + 4.16667
  });

  it('stays exact at the largest run_limit the store allows', () => {
    const c = computeSiteLicenseCost({ ...base, user: 'business', ram: 16, cpu: 2, disk: 10, uptime: 'medium', run_limit: 10_000 });
    expect(c.cost).toBe(637_500);
    expect(c.lineItemAmount).toBe(637_500);
  });

  it('has no float drift where naive float math has it', () => {
    // 0.1 + 0.2 style sums: 3 units of a $10.10 price must be exactly $30.30, not 30.299999999999997.
    const c = computeSiteLicenseCost({
      ...base,
      user: 'business',
      period: 'range',
      range: rangeOf(30.5 * DAY_MS),
      ram: 0,
      cpu: 0,
      disk: 24.24,
      member: false,
      run_limit: 3,
    });
    expect(c.costPerUnit).toBe(10.1);
    expect(c.cost).toBe(30.3);
  });

  it('rejects input it cannot price instead of returning NaN', () => {
    expect(() => computeSiteLicenseCost({ ...base, user: 'student' as never })).toThrow(/unknown user student/);
    expect(() => computeSiteLicenseCost({ ...base, period: 'range' })).toThrow(/range/);
    expect(() => computeSiteLicenseCost({ ...base, ram: Number.NaN })).toThrow(RangeError);
  });
});

describe('round2up', () => {
  it('rounds up to whole cents and keeps exact cents', () => {
    expect(round2up(10.5)).toBe(10.5);
    expect(round2up(2.001)).toBe(2.01);
    expect(round2up(1.005)).toBe(1.01);
    expect(round2up(63.749999)).toBe(63.75);
    expect(round2up(0)).toBe(0);
    expect(round2up(1e-7)).toBe(0.01);
  });

  it('rounds negative amounts toward zero, like the vendor', () => {
    expect(round2up(-1.234)).toBe(-1.23);
    expect(round2up(-0.001)).toBe(0);
  });
});
