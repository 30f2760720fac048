import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { purchaseRequestSchema, purchaseRequestSchemaFor } from '../../lambdas/core/purchase-request';
import { byVendor, capitalized, findProfile, profileOf, type Vendor, VENDOR_PROFILES, vendorLabel, VENDORS } from '../../lambdas/core/vendors';
import { budgetConfig } from '../../lambdas/shared/config';
import { ENV, monthlyCapEnv, secretArnEnv } from '../../lambdas/shared/env-names';
import { placeholderFields, SECRET_PLACEHOLDER, secretJsonShape, VENDOR_SECRET_PLACEHOLDERS } from '../../lambdas/shared/vendor-secret-shapes';
import { DEFAULT_PROCURE_CONFIG } from '../../lib/config-defaults';
import { procureConfigSchema } from '../../lib/config-schema';
import { tsFilesUnder } from '../support/module-imports';
import { secretArnOutput, STACK_OUTPUTS } from '../../lib/stack-outputs';
import { fixtureVendorProfile } from '../fixtures/vendors/fixturevendor/core/profile';
import { PROJECT_DIR } from '../support/project-dir';
import { cocalcRequest, interserverRequest } from '../support/requests';

/**
 * The vendor registry (lambdas/core/vendors.ts, issue #10): each vendor folder's profile is listed
 * once, and what the profiles describe (the request schema, the secrets' contract, the caps, the
 * names of their variables and outputs) is derived from the list, never written per vendor.
 */

const issuesOf = (
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } },
  body: unknown,
) => {
  const r = schema.safeParse(body);
  return r.success ? [] : (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the registry', () => {
  it('lists every vendor folder under lambdas/vendors once, in a fixed order', () => {
    const folders = readdirSync(join(PROJECT_DIR, 'lambdas', 'vendors'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect([...VENDORS].sort()).toEqual(folders);
    expect(VENDOR_PROFILES.map((p) => p.name)).toEqual(['cocalc', 'interserver']);
  });

  it('finds a profile by name, labels each vendor, gives one value a vendor and capitalizes names for ids', () => {
    expect(profileOf('interserver').name).toBe('interserver');
    // A name from stored data, no longer registered: profileOf refuses it by name, findProfile says none.
    expect(() => profileOf('gone' as Vendor)).toThrow('vendor "gone" is not registered');
    expect(findProfile('gone')).toBeUndefined();
    expect(findProfile('cocalc')?.name).toBe('cocalc');
    expect(VENDORS.map(vendorLabel)).toEqual(['CoCalc', 'InterServer']);
    // Stored data may name a vendor since removed: its mails and reasons read the name, not "undefined".
    expect(vendorLabel('gone' as Vendor)).toBe('gone');
    expect(byVendor((v) => v.length)).toEqual({ cocalc: 6, interserver: 11 });
    expect(VENDORS.map(capitalized)).toEqual(['Cocalc', 'Interserver']);
  });
});

describe('the request schema derives from the profiles', () => {
  const withFixture = purchaseRequestSchemaFor([...VENDOR_PROFILES, fixtureVendorProfile]);
  const fixtureRequest = (item: unknown) => ({ ...interserverRequest(), vendor: 'fixturevendor', item });

  it("procure's own schema accepts each vendor's request and refuses a vendor it has no profile for", () => {
    expect(issuesOf(purchaseRequestSchema, cocalcRequest())).toEqual([]);
    expect(issuesOf(purchaseRequestSchema, interserverRequest())).toEqual([]);
    expect(issuesOf(purchaseRequestSchema, fixtureRequest({ plan: 'team', seats: 3 }))[0]).toMatch(/^vendor: /);
  });

  it('a profile added to the list brings its item schema, refusals named by field', () => {
    expect(issuesOf(withFixture, fixtureRequest({ plan: 'team', seats: 3 }))).toEqual([]);
    expect(issuesOf(withFixture, fixtureRequest({ plan: 'team', seats: 0 }))).toEqual([expect.stringMatching(/^item\.seats: /)]);
    expect(issuesOf(withFixture, fixtureRequest({ plan: 'team', seats: 3, extra: 1 }))).toEqual([expect.stringMatching(/^item: .*extra/)]);
    // The other vendors' requests and the common fields keep their rules.
    expect(issuesOf(withFixture, cocalcRequest())).toEqual([]);
    expect(issuesOf(withFixture, { ...fixtureRequest({ plan: 'team', seats: 3 }), requestId: 'a b' })[0]).toMatch(/^requestId: /);
    // A vendor's item is checked by its own schema only: the fixture's item is no InterServer item.
    expect(issuesOf(withFixture, { ...interserverRequest(), item: { plan: 'team', seats: 3 } })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^item\.ip: /), expect.stringMatching(/^item: .*plan/)]),
    );
  });
});

describe("the secrets' contract derives from the profiles", () => {
  it("each vendor's secret holds its profile's fields, each the placeholder until the operator sets it", () => {
    expect(VENDOR_SECRET_PLACEHOLDERS).toEqual({ cocalc: { apiKey: 'REPLACE_ME' }, interserver: { username: 'REPLACE_ME', password: 'REPLACE_ME' } });
    expect(SECRET_PLACEHOLDER).toBe('REPLACE_ME');
    expect(secretJsonShape('interserver')).toBe('{"username":"...","password":"..."}');
    expect(placeholderFields('interserver', { username: 'me', password: SECRET_PLACEHOLDER })).toEqual(['password']);
  });

  it("names each vendor's secret variable and stack output after the vendor", () => {
    expect(VENDORS.map(secretArnEnv)).toEqual(['COCALC_SECRET_ARN', 'INTERSERVER_SECRET_ARN']);
    expect(ENV.INTERSERVER_SECRET_ARN).toBe('INTERSERVER_SECRET_ARN');
    expect(VENDORS.map(secretArnOutput)).toEqual(['CocalcSecretArn', 'InterserverSecretArn']);
    expect(STACK_OUTPUTS.CocalcSecretArn).toBe('Replace the placeholder with {"apiKey":"..."}');
  });
});

describe('the monthly caps derive from the profiles', () => {
  it("one variable a vendor, read into each vendor's cap", () => {
    expect(VENDORS.map(monthlyCapEnv)).toEqual(['MONTHLY_CAP_COCALC_USD', 'MONTHLY_CAP_INTERSERVER_USD']);
    expect(ENV.MONTHLY_CAP_COCALC_USD).toBe('MONTHLY_CAP_COCALC_USD');
    const env = { [monthlyCapEnv('cocalc')]: '12.5', [monthlyCapEnv('interserver')]: '0', [ENV.DAILY_PURCHASE_LIMIT]: '3' };
    expect(budgetConfig(env).capsUsd).toEqual({ cocalc: 12.5, interserver: 0 });
    expect(() => budgetConfig({ ...env, [monthlyCapEnv('interserver')]: undefined })).toThrow(/MONTHLY_CAP_INTERSERVER_USD/);
  });

  it("defaults each cap to its profile's, and the configuration takes a cap for each vendor and no other", () => {
    expect(DEFAULT_PROCURE_CONFIG.monthlyCapUsd).toEqual({ cocalc: 500, interserver: 200 });
    const config = (monthlyCapUsd: unknown) => procureConfigSchema.safeParse({ ...DEFAULT_PROCURE_CONFIG, monthlyCapUsd });
    expect(config({ cocalc: 1, interserver: 2 }).success).toBe(true);
    expect(config({ cocalc: 1, interserver: 2, fixturevendor: 3 }).success).toBe(false);
    expect(config({ cocalc: 1 }).success).toBe(false);
  });
});

describe('the fixture vendor is registered by its own folder alone (issue #10)', () => {
  it("procure's code names it nowhere: only package.json maps #vendors/* to its registry under its build condition", () => {
    const files = ['bin', 'lib', 'lambdas'].flatMap(tsFilesUnder);
    expect(files.length).toBeGreaterThan(200);
    const naming = files.filter((f) => /fixturevendor|FixtureVendor|Fixture Vendor/.test(readFileSync(join(PROJECT_DIR, f), 'utf8')));
    expect(naming).toEqual([]);
    const imports = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')).imports as Record<string, Record<string, string>>;
    const fixtureTargets = Object.values(imports).map((targets) => targets['procure-fixture-vendor']);
    expect(fixtureTargets.every((t) => t?.startsWith('./test/fixtures/vendors/fixturevendor/registry/'))).toBe(true);
    expect(Object.values(imports).every((targets) => targets.default?.startsWith('./lambdas/') || targets.default?.startsWith('./lib/'))).toBe(true);
  });
});
