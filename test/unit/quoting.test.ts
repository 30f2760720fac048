import { describe, expect, it } from 'vitest';
import { InvalidRequestError, MaxCostExceededError } from '../../lambdas/core/errors';
import { assertWithinMaxCost } from '../../lambdas/core/quoting';
import { describeSiteLicense } from '../../lambdas/vendors/cocalc/core/quoter';
import { describeInterserverLicense, resolveInterserverType } from '../../lambdas/vendors/interserver/core/quoter';

const catalog = [
  { id: 5006, name: 'Softaculous', cost: 3 },
  { id: 5007, name: 'Softaculous VPS', cost: 2 },
  { id: 7000, name: 'Twin', cost: 1 },
  { id: 7001, name: 'twin', cost: 1 },
];

describe('quoting policy', () => {
  it('resolves a license type by id, by digits in a string, or by exact name in any case', () => {
    expect(resolveInterserverType(catalog, 5006).name).toBe('Softaculous');
    expect(resolveInterserverType(catalog, '5007').name).toBe('Softaculous VPS');
    expect(resolveInterserverType(catalog, 'softaculous vps').id).toBe(5007);
  });

  it('refuses an unknown type, naming it, and does not match a partial name', () => {
    expect(() => resolveInterserverType(catalog, 'Softac')).toThrow(InvalidRequestError);
    expect(() => resolveInterserverType(catalog, 'Softac')).toThrow(/unknown InterServer license type "Softac"/);
    expect(() => resolveInterserverType(catalog, 1)).toThrow(/unknown InterServer license type 1/);
  });

  it('refuses a name that matches several types and lists their ids', () => {
    expect(() => resolveInterserverType(catalog, 'TWIN')).toThrow(/7000, 7001/);
  });

  it('accepts a quote equal to maxCost and refuses one a cent above', () => {
    expect(() => assertWithinMaxCost(10, 10)).not.toThrow();
    expect(() => assertWithinMaxCost(10, undefined)).not.toThrow();
    expect(() => assertWithinMaxCost(10.01, 10)).toThrow(MaxCostExceededError);
  });

  it('summarizes a site license and an InterServer license in one line', () => {
    const summary = describeSiteLicense({
      type: 'quota',
      user: 'business',
      period: 'monthly',
      run_limit: 1,
      ram: 16,
      cpu: 2,
      disk: 10,
      member: true,
      uptime: 'medium',
      boost: false,
      title: 'Lab',
    });
    expect(summary).toBe('CoCalc site license "Lab": business, monthly, run limit 1, 16 GB RAM, 2 vCPU, 10 GB disk, member hosting, medium uptime');
    expect(describeInterserverLicense(catalog[0]!, '203.0.113.7')).toBe('InterServer license: Softaculous (5006) for 203.0.113.7, $3.00/month');
  });
});
