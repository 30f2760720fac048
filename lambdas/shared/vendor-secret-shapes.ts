import { byVendor, profileOf, type Vendor } from '../core/vendors';

/**
 * The vendor secrets' contract, shared by the construct that creates them
 * (lib/constructs/vendor-secrets.ts) and the gateways that read them (each vendor's
 * composition/gateway.ts): their JSON fields and the placeholder they are created with, derived
 * from each vendor profile's `secretFields` (lambdas/core/vendors.ts). No AWS SDK, so the CDK app
 * can use it.
 */

/** The value every vendor secret field holds until the operator stores the real credential. */
export const SECRET_PLACEHOLDER = 'REPLACE_ME';

/** The vendors whose credentials procure keeps in Secrets Manager: every vendor. */
export type SecretVendor = Vendor;

/**
 * What the vendor secrets are created with: every field the placeholder. The operator replaces
 * them once after the first deploy; CloudFormation writes SecretString only when this template
 * value changes, so later deploys keep the operator's value: do not change a vendor's fields lightly.
 */
export const VENDOR_SECRET_PLACEHOLDERS: Record<SecretVendor, Readonly<Record<string, string>>> = byVendor((v) => secretOf(v, () => SECRET_PLACEHOLDER));

/** The JSON fields of a vendor's secret, in its profile's order. */
export function secretFieldsOf(vendor: SecretVendor): string[] {
  return Object.keys(profileOf(vendor).secretFields);
}

/** A vendor's secret with each of its fields (in its profile's order) set to `valueFor(field)`. */
export function secretOf(vendor: SecretVendor, valueFor: (field: string) => string): Record<string, string> {
  return Object.fromEntries(secretFieldsOf(vendor).map((field) => [field, valueFor(field)]));
}

/** A vendor secret's JSON shape for people: `{"apiKey":"..."}`. */
export function secretJsonShape(vendor: SecretVendor): string {
  return JSON.stringify(secretOf(vendor, () => '...'));
}

/** The fields of a vendor secret that still hold {@link SECRET_PLACEHOLDER}. */
export function placeholderFields(vendor: SecretVendor, secret: Readonly<Record<string, unknown>>): string[] {
  return secretFieldsOf(vendor).filter((field) => secret[field] === SECRET_PLACEHOLDER);
}

/** The AWS CLI command that stores a vendor secret (its profile's description where each value goes). */
export function putSecretValueCommand(vendor: SecretVendor, secretId: string): string {
  return `aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '${JSON.stringify(profileOf(vendor).secretFields)}'`;
}
