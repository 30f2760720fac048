/**
 * The vendor secrets' contract, shared by the construct that creates them
 * (lib/constructs/vendor-secrets.ts) and the gateways that read them (lambdas/shared/
 * cocalc-gateway.ts, interserver-gateway.ts): their JSON fields and the placeholder they are
 * created with. No imports, so the CDK app can use it without loading the AWS SDK.
 */

/** The value every vendor secret field holds until the operator stores the real credential. */
export const SECRET_PLACEHOLDER = 'REPLACE_ME';

/** The vendors whose credentials procure keeps in Secrets Manager. */
export type SecretVendor = 'cocalc' | 'interserver';

/**
 * What the vendor secrets are created with. The operator replaces them once after the first
 * deploy; CloudFormation writes SecretString only when this template value changes, so later
 * deploys keep the operator's value: do not edit these.
 */
export const VENDOR_SECRET_PLACEHOLDERS = {
  cocalc: { apiKey: SECRET_PLACEHOLDER },
  interserver: { username: SECRET_PLACEHOLDER, password: SECRET_PLACEHOLDER },
} as const satisfies Record<SecretVendor, Record<string, string>>;

/** Each secret's JSON with a description in place of every value, for the command that sets it. */
export const VENDOR_SECRET_TEMPLATES = {
  cocalc: { apiKey: '<CoCalc API key>' },
  interserver: { username: '<my.interserver.net login>', password: '<password or API key>' },
} as const satisfies { [V in SecretVendor]: Record<keyof (typeof VENDOR_SECRET_PLACEHOLDERS)[V], string> };

/** The fields of a vendor secret that still hold {@link SECRET_PLACEHOLDER}. */
export function placeholderFields(vendor: SecretVendor, secret: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(VENDOR_SECRET_PLACEHOLDERS[vendor]).filter((field) => secret[field] === SECRET_PLACEHOLDER);
}

/** The AWS CLI command that stores a vendor secret (descriptions where the values go). */
export function putSecretValueCommand(vendor: SecretVendor, secretId: string): string {
  return `aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '${JSON.stringify(VENDOR_SECRET_TEMPLATES[vendor])}'`;
}
