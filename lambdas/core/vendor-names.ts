import { REGISTERED_LABELS, REGISTERED_VENDORS } from '#vendors/names';

/**
 * procure's vendors by name (issue #10), from the registry (./registered-vendors.ts). Each has a
 * folder, lambdas/vendors/<vendor>/, and its profile in ./vendors.ts (`#vendors/profiles`), whose list must name the same
 * vendors in the same order (its type says so). Apart from the profiles because every function
 * reads the names (its caps, its variables) while only some need the profiles' schemas: a bundle
 * that imports only this stays without them.
 */
export const VENDORS = REGISTERED_VENDORS;

export type Vendor = (typeof VENDORS)[number];

/** A label for each vendor, which this type requires. */
const LABELS: { readonly [V in Vendor]: string } = REGISTERED_LABELS;

/**
 * How people read a vendor's name: "CoCalc", "InterServer". A name from stored data that is no
 * longer registered (an execution older than its vendor's removal) reads as itself.
 */
export function vendorLabel(vendor: Vendor): string {
  return (LABELS as Readonly<Record<string, string>>)[vendor] ?? vendor;
}

/** The vendors as people read a list of them: "CoCalc and InterServer", "A, B and C". */
export function vendorLabels(vendors: readonly Vendor[] = VENDORS): string {
  const labels = vendors.map(vendorLabel);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}` : (labels[0] ?? '');
}

/** One value for each vendor, by name. */
export function byVendor<T>(valueFor: (vendor: Vendor) => T): Record<Vendor, T> {
  return Object.fromEntries(VENDORS.map((v) => [v, valueFor(v)])) as Record<Vendor, T>;
}

/** A vendor's name (or any text) with its first letter capitalized, as construct ids and output names use it: `Cocalc`. */
export function capitalized<S extends string>(text: S): Capitalize<S> {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}` as Capitalize<S>;
}
