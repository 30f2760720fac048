import type { SecretsProvider } from '../../../core/ports';
import type { CocalcGateway } from '../core/ports';
import { buildOnce } from '../../../shared/build-once';
import { cocalcConfig } from '../shared/config';
import { SecretUnavailableError, secretsProvider } from '../../../shared/secrets';
import { readVendorSecret } from '../../../shared/vendor-secret';

/**
 * The CoCalc gateway of one Lambda process. A module of its own (as is InterServer's composition/gateway.ts) so
 * a function that never calls CoCalc does not bundle undici, and one that calls only CoCalc does
 * not bundle soap. The adapter, and undici with it, is imported when the gateway is first built,
 * so undici's module code runs only in a process that calls CoCalc: not in a PreparePurchase,
 * VerifyLicense or ListLicenses process that serves only InterServer purchases, nor in RecordOutcome
 * or Reconcile until they clean up a cart (issue #11: the README's bundle bench gives the loads
 * this saved). The import cannot fail but by a broken bundle; if it did, every build in that process
 * would fail the same way (the bundle keeps the error), inside the handler rather than at start-up.
 */

/** Builds the gateway: config from the environment, the API key from Secrets Manager (`{apiKey}`). */
export async function buildCocalcGateway(secrets: SecretsProvider): Promise<CocalcGateway> {
  const config = cocalcConfig();
  const { apiKey } = await readVendorSecret<{ apiKey?: unknown }>(secrets, 'cocalc', config.secretId);
  if (typeof apiKey !== 'string' || apiKey === '') {
    throw new SecretUnavailableError(`secret ${config.secretId} has no "apiKey" string`);
  }
  const { createCocalcGateway } = await import('../adapters/undici-cocalc-gateway.js');
  return createCocalcGateway({ baseUrl: config.baseUrl, apiKey, checkoutMode: config.checkoutMode });
}

/**
 * This process's CoCalc gateway, built on first use and then reused (HOUSE-STYLE: clients once per
 * cold start; it keeps its connection pool). A failed build (secret missing or still a placeholder)
 * is not cached, so the next invocation tries again. A rotated key reaches a warm process only
 * after a new cold start.
 */
export const cocalcGateway: () => Promise<CocalcGateway> = buildOnce(() => buildCocalcGateway(secretsProvider()));
