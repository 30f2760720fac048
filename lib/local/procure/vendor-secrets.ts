import { randomBytes } from 'node:crypto';
import { VENDORS, type Vendor } from '../../../lambdas/core/vendor-names';
import { ENV, secretArnEnv } from '../../../lambdas/shared/env-names';
import { secretFieldsOf, secretOf } from '../../../lambdas/shared/vendor-secret-shapes';
import { generateSigningKey } from '../secrets-vault';
import type { SandboxCredentials } from './sandboxes';

// procure's local secrets and the vendor sandboxes' credentials, both from the vendor registry: a
// vendor's local secret has its profile's fields, and its sandbox accepts what that secret holds.

/**
 * Env names whose value is a secret's ARN, and the value a fresh local secret of that role gets:
 * for each vendor of the registry, its secret's fields (its profile's) each a random token, which
 * its sandbox is started with; and the approval-link signing key.
 */
export function secretRoles(): Record<string, () => string> {
  const vendorSecret = (vendor: Vendor) => () => JSON.stringify(secretOf(vendor, () => `local-${randomBytes(12).toString('base64url')}`));
  return { ...Object.fromEntries(VENDORS.map((v) => [secretArnEnv(v), vendorSecret(v)])), [ENV.SIGNING_SECRET_ARN]: generateSigningKey };
}

/**
 * The credentials each vendor's sandbox is started with: those its local secret holds, when every
 * field of it is a non-empty string (the functions then sign in with them); otherwise none, and the
 * sandbox keeps its own well-known defaults (lib/local/sandboxes/<vendor>).
 */
export function sandboxCredentials(secretJson: (envName: string) => Record<string, string | undefined>): SandboxCredentials {
  const credentials: Partial<Record<Vendor, Record<string, string>>> = {};
  for (const vendor of VENDORS) {
    const secret = secretJson(secretArnEnv(vendor));
    const fields = secretFieldsOf(vendor);
    if (fields.every((f) => typeof secret[f] === 'string' && secret[f] !== '')) credentials[vendor] = secretOf(vendor, (f) => secret[f] as string);
  }
  return credentials as SandboxCredentials;
}
