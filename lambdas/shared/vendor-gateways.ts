import type { CocalcGateway, InterserverGateway, SecretsProvider } from '../core/ports';
import { createCocalcGateway } from '../adapters/cocalc';
import { createInterserverGateway } from '../adapters/interserver';
import { cocalcConfig, interserverConfig } from './config';
import { logger } from './logger';
import { SecretPlaceholderError, SecretUnavailableError, secretsProvider } from './secrets';
import { placeholderFields, putSecretValueCommand, type SecretVendor } from './vendor-secret-shapes';

/**
 * The vendor gateways of one Lambda process, each built on first use and then reused (HOUSE-STYLE:
 * clients once per cold start): the InterServer gateway caches its SOAP client, session and
 * catalog, the CoCalc one its connection pool. Credentials come from Secrets
 * Manager (`{apiKey}`, `{username,password}`), never from the environment. A failed build (secret
 * missing, WSDL unreachable) is not cached, so the next invocation tries again.
 *
 * A rotated secret reaches a warm process only after its gateway is rebuilt (a new cold start).
 */
export interface VendorGateways {
  cocalc(): Promise<CocalcGateway>;
  interserver(): Promise<InterserverGateway>;
}

/** How the gateways are built; tests point them at the sandboxes. */
export interface VendorGatewayFactories {
  cocalc(secrets: SecretsProvider): Promise<CocalcGateway>;
  interserver(secrets: SecretsProvider): Promise<InterserverGateway>;
}

/** Production factories: config from the environment, credentials from Secrets Manager. */
export const productionFactories: VendorGatewayFactories = {
  async cocalc(secrets) {
    const config = cocalcConfig();
    const { apiKey } = rejectPlaceholder('cocalc', config.secretId, await secrets.getJson<{ apiKey?: unknown }>(config.secretId));
    if (typeof apiKey !== 'string' || apiKey === '') {
      throw new SecretUnavailableError(`secret ${config.secretId} has no "apiKey" string`);
    }
    return createCocalcGateway({ baseUrl: config.baseUrl, apiKey, checkoutMode: config.checkoutMode });
  },
  async interserver(secrets) {
    const config = interserverConfig();
    const { username, password } = rejectPlaceholder(
      'interserver',
      config.secretId,
      await secrets.getJson<{ username?: unknown; password?: unknown }>(config.secretId),
    );
    if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
      throw new SecretUnavailableError(`secret ${config.secretId} needs non-empty "username" and "password" strings`);
    }
    return createInterserverGateway({ wsdlUrl: config.wsdlUrl, endpoint: config.endpoint, username, password, logger });
  },
};

/**
 * The secret as read, unless a field still holds the deploy-time placeholder: then the gateway is
 * never built and no vendor is called with it (a placeholder would only come back as an
 * authentication error naming nothing).
 */
function rejectPlaceholder<T extends Record<string, unknown>>(vendor: SecretVendor, secretId: string, secret: T): T {
  const fields = placeholderFields(vendor, secret);
  if (fields.length) throw new SecretPlaceholderError(secretId, fields, putSecretValueCommand(vendor, secretId));
  return secret;
}

/** Memoized gateways over the given secrets provider and factories. */
export function createVendorGateways(
  secrets: SecretsProvider,
  factories: VendorGatewayFactories = productionFactories,
): VendorGateways {
  return {
    cocalc: memoize(() => factories.cocalc(secrets)),
    interserver: memoize(() => factories.interserver(secrets)),
  };
}

let processGateways: VendorGateways | undefined;

/** This process's gateways (built lazily, once). */
export function vendorGateways(): VendorGateways {
  processGateways ??= createVendorGateways(secretsProvider());
  return processGateways;
}

/** Caches a successful build; forgets a failed one so the next call retries. */
function memoize<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
