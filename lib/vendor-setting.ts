import type { z } from 'zod';

/**
 * One configuration setting of a vendor (issue #10, "a vendor seam"), declared in its folder
 * (`lambdas/vendors/<vendor>/settings.ts`) and listed in the registry (`#vendors/settings`,
 * lib/registered-settings.ts). The configuration's schema, defaults and type, the variables the
 * vendor's callers get, the stack outputs and what `procure doctor` reads back all derive from
 * these (lib/vendor-settings.ts). Its key is the CDK context key (`-c procure:<key>=...`).
 */
export interface VendorSetting<T = unknown> {
  /** What the value may be (context strings arrive as they are typed). */
  readonly schema: z.ZodType<T, unknown>;
  /** The value when unset; a setting without one is optional (unset, or set to "", means not set). */
  readonly default?: T;
  /** The environment variable the vendor's callers read it from (set only when the value is). */
  readonly variable: string;
  /** The stack output that shows it, for `procure doctor` to read back. */
  readonly output?: { readonly name: string; readonly description: string };
}

/** Each setting held to its own schema: a default its schema does not accept is a type error. */
type Checked<S> = { readonly [K in keyof S]: S[K] extends { readonly schema: z.ZodType<infer T, unknown> } ? VendorSetting<T> : never };

/** A vendor's settings, by key, checked where they are written (each default against its schema's type). */
export function vendorSettings<const S extends Readonly<Record<string, VendorSetting>>>(settings: S & Checked<S>): S {
  return settings;
}
