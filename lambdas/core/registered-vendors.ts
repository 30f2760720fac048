/**
 * procure's vendors (issue #10): the registry's one list, a line a vendor, its name (its folder,
 * lambdas/vendors/<name>/) and how people read it (mails, pages, the CLI). Every module reads it as
 * `#vendors/names` (package.json "imports"), so a build with the `procure-fixture-vendor` condition
 * reads the test fixture's longer list instead. The registry's other lists (a vendor's profile,
 * quoter, listing, stack, settings, sandbox, ...) are written from this one by `npm run registry`
 * (scripts/registry/), from the modules each vendor's folder gives (lambdas/vendors/README.md).
 */
const REGISTRY = [
  ['cocalc', 'CoCalc'],
  ['interserver', 'InterServer'],
] as const;

/** A registry's names, in order, as a tuple. */
export type NamesOf<R extends ReadonlyArray<readonly [string, string]>> = { readonly [K in keyof R]: R[K][0] };

/** The names of a list of [name, label] lines, in order. */
export function namesOf<const R extends ReadonlyArray<readonly [string, string]>>(registry: R): NamesOf<R> {
  return registry.map(([name]) => name) as unknown as NamesOf<R>;
}

/** The labels of a list of [name, label] lines, by name. */
export function labelsOf<const R extends ReadonlyArray<readonly [string, string]>>(registry: R): { readonly [V in R[number][0]]: string } {
  return Object.fromEntries(registry) as { readonly [V in R[number][0]]: string };
}

export const REGISTERED_VENDORS = namesOf(REGISTRY);

/** The vendors this file registers (in procure's own build, every vendor). */
export type RegisteredVendor = (typeof REGISTERED_VENDORS)[number];

/** How people read each vendor's name. */
export const REGISTERED_LABELS = labelsOf(REGISTRY);
