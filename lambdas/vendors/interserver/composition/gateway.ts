import type { SecretsProvider } from '../../../core/ports';
import type { InterserverGateway } from '../core/ports';
import { buildOnce } from '../../../shared/build-once';
import { interserverConfig } from '../shared/config';
import { logger } from '../../../shared/logger';
import { SecretUnavailableError, secretsProvider } from '../../../shared/secrets';
import { readVendorSecret } from '../../../shared/vendor-secret';

/**
 * The InterServer gateway of one Lambda process. A module of its own (as is CoCalc's composition/gateway.ts) so
 * a function that never calls InterServer does not bundle soap, and one that calls only InterServer
 * does not bundle undici. The adapter, and soap with it, is imported when the gateway is first
 * built (CoCalc's composition/gateway.ts says why).
 */

/** Builds the gateway: config from the environment, `{username,password}` from Secrets Manager. */
export async function buildInterserverGateway(secrets: SecretsProvider): Promise<InterserverGateway> {
  const config = interserverConfig();
  const { username, password } = await readVendorSecret<{ username?: unknown; password?: unknown }>(secrets, 'interserver', config.secretId);
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    throw new SecretUnavailableError(`secret ${config.secretId} needs non-empty "username" and "password" strings`);
  }
  const { createInterserverGateway } = await import('../adapters/index.js');
  return createInterserverGateway({ wsdlUrl: config.wsdlUrl, endpoint: config.endpoint, username, password, logger });
}

/**
 * This process's InterServer gateway, built on first use and then reused (HOUSE-STYLE: clients
 * once per cold start; it caches its SOAP client, session and catalog). A failed build (secret
 * missing, WSDL unreachable) is not cached, so the next invocation tries again. A rotated password
 * reaches a warm process only after a new cold start.
 */
export const interserverGateway: () => Promise<InterserverGateway> = buildOnce(() => buildInterserverGateway(secretsProvider()));
