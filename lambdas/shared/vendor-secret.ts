import type { SecretsProvider } from '../core/ports';
import { SecretPlaceholderError } from './secrets';
import { placeholderFields, putSecretValueCommand, type SecretVendor } from './vendor-secret-shapes';

/**
 * A vendor's credential secret as read, unless a field still holds the deploy-time placeholder:
 * then the gateway is never built and no vendor is called with it (a placeholder would only come
 * back as an authentication error naming nothing).
 */
export async function readVendorSecret<T extends Record<string, unknown>>(secrets: SecretsProvider, vendor: SecretVendor, secretId: string): Promise<T> {
  const secret = await secrets.getJson<T>(secretId);
  const fields = placeholderFields(vendor, secret);
  if (fields.length) throw new SecretPlaceholderError(secretId, fields, putSecretValueCommand(vendor, secretId));
  return secret;
}
