/**
 * The registry's facets (issue #10, "a vendor seam"): what each vendor's folder gives procure, one
 * list of them a facet so that a Lambda bundle, the CDK app, the CLI and the local runtime each load
 * only their own. Every list is written from the one list of vendors by ./render.ts; a vendor's
 * folder gives each facet as a module at `file` exporting `name`, and an optional facet it lacks
 * (no such file) is listed as null.
 */
export interface Facet {
  /** The `#vendors/<key>` import (package.json "imports") and the fixture's registry file name. */
  readonly key: string;
  /** Where procure's list is, from the project root. */
  readonly out: string;
  /** The module in a vendor's folder, without `.ts`, and the export it gives. */
  readonly file: string;
  readonly name: string;
  /** A vendor may lack it (its list says null). */
  readonly optional: boolean;
  /** What the list says of itself, in its doc comment. */
  readonly about: string;
  /** The list's own export: a tuple, a record, or a function building a record once per cold start. */
  readonly shape: { kind: 'tuple' | 'record' | 'factories'; exportName: string };
  /** Type imports (from the project root) and the list's type, in procure's list and in the fixture's. */
  readonly types: { readonly imports: readonly TypeImport[]; readonly procure?: string; readonly fixture?: string; readonly satisfies?: boolean };
}

export interface TypeImport {
  readonly names: string;
  readonly from: string;
}

const REGISTERED: TypeImport = { names: 'RegisteredVendor', from: 'lambdas/core/registered-vendors' };
const VENDOR: TypeImport = { names: 'Vendor', from: 'lambdas/core/vendors' };

export const FACETS: readonly Facet[] = [
  {
    key: 'profiles',
    out: 'lambdas/core/registered-profiles.ts',
    file: 'core/profile',
    name: 'profile',
    optional: false,
    about: "The vendors' profiles (`#vendors/profiles`), in the order of `#vendors/names` (lambdas/core/vendors.ts checks).",
    shape: { kind: 'tuple', exportName: 'REGISTERED_PROFILES' },
    types: { imports: [] },
  },
  {
    key: 'quoters',
    out: 'lambdas/composition/vendor-quoters.ts',
    file: 'composition/quoter',
    name: 'quoter',
    optional: false,
    about: "Each vendor's quoter (PreparePurchase, POST /quotes; `#vendors/quoters`).",
    shape: { kind: 'factories', exportName: 'vendorQuoters' },
    types: {
      imports: [REGISTERED, { names: 'QuotersByVendor, VendorQuoter', from: 'lambdas/core/vendor-quoter' }],
      procure: '{ readonly [V in RegisteredVendor]: VendorQuoter<V> }',
      fixture: 'QuotersByVendor',
    },
  },
  {
    key: 'licenses',
    out: 'lambdas/composition/vendor-licenses.ts',
    file: 'composition/licenses',
    name: 'licenses',
    optional: false,
    about: "Each vendor's license listing over its gateway (VerifyLicense, ListLicenses; `#vendors/licenses`).",
    shape: { kind: 'factories', exportName: 'vendorLicenses' },
    types: {
      imports: [REGISTERED, { names: 'LicensesByVendor, VendorLicenses', from: 'lambdas/core/vendor-licenses' }],
      procure: '{ readonly [V in RegisteredVendor]: VendorLicenses<V> }',
      fixture: 'LicensesByVendor',
    },
  },
  {
    key: 'preparations',
    out: 'lambdas/composition/vendor-preparations.ts',
    file: 'composition/preparation',
    name: 'preparation',
    optional: true,
    about: 'What each vendor prepares in PreparePurchase before approval, or null (`#vendors/preparations`).',
    shape: { kind: 'factories', exportName: 'vendorPreparations' },
    types: {
      imports: [REGISTERED, { names: 'PreparationsByVendor, VendorPreparation', from: 'lambdas/core/vendor-preparation' }],
      procure: '{ readonly [V in RegisteredVendor]: VendorPreparation<V> | null }',
      fixture: 'PreparationsByVendor',
    },
  },
  {
    key: 'leftovers',
    out: 'lambdas/composition/vendor-leftovers.ts',
    file: 'composition/leftovers',
    name: 'leftovers',
    optional: true,
    about:
      "What each vendor's preparation leaves at the vendor, for RecordNotCompleted and the reconciler to take back, or null (`#vendors/leftovers`; a list of its own, so those two bundle no preparation code).",
    shape: { kind: 'factories', exportName: 'vendorLeftovers' },
    types: {
      imports: [REGISTERED, { names: 'LeftoversByVendor, VendorLeftovers', from: 'lambdas/core/vendor-leftovers' }],
      procure: '{ readonly [V in RegisteredVendor]: VendorLeftovers<V> | null }',
      fixture: 'LeftoversByVendor',
    },
  },
  {
    key: 'stacks',
    out: 'lib/registered-stacks.ts',
    file: 'stack',
    name: 'stack',
    optional: false,
    about: "Each vendor's CDK needs (`#vendors/stacks`; apart from the Lambda side's lists, as these import aws-cdk-lib).",
    shape: { kind: 'record', exportName: 'REGISTERED_STACKS' },
    types: {
      imports: [REGISTERED, VENDOR, { names: 'VendorStack', from: 'lib/vendor-stack' }],
      procure: '{ readonly [V in RegisteredVendor]: VendorStack<V> }',
      fixture: '{ readonly [V in Vendor]: VendorStack<V> }',
    },
  },
  {
    key: 'settings',
    out: 'lib/registered-settings.ts',
    file: 'settings',
    name: 'settings',
    optional: false,
    about: "Each vendor's configuration settings (`#vendors/settings`; read by the configuration and the CLI without aws-cdk-lib).",
    shape: { kind: 'record', exportName: 'REGISTERED_SETTINGS' },
    types: {
      imports: [REGISTERED, { names: 'VendorSetting', from: 'lib/vendor-setting' }],
      procure: '{ readonly [V in RegisteredVendor]: Readonly<Record<string, VendorSetting>> }',
      satisfies: true,
    },
  },
  {
    key: 'sign-ins',
    out: 'lib/cli/doctor/registered-sign-ins.ts',
    file: 'sign-in',
    name: 'signIn',
    optional: true,
    about: "Each vendor's read-only sign-in for `procure doctor`, or null (`#vendors/sign-ins`; only the CLI loads it).",
    shape: { kind: 'record', exportName: 'REGISTERED_SIGN_INS' },
    types: {
      imports: [REGISTERED, { names: 'VendorSignIn', from: 'lib/cli/doctor/vendor-sign-in' }],
      procure: '{ readonly [V in RegisteredVendor]: VendorSignIn<V> | null }',
    },
  },
  {
    key: 'sandboxes',
    out: 'lib/local/procure/registered-sandboxes.ts',
    file: 'sandbox',
    name: 'sandbox',
    optional: false,
    about: "Each vendor's sandbox part for the local runtime (`#vendors/sandboxes`; lib/local/procure/sandboxes.ts checks it).",
    shape: { kind: 'record', exportName: 'REGISTERED_SANDBOXES' },
    types: { imports: [] },
  },
];
