import type { InterserverGateway } from '../core/ports';
import { SoapInterserverGateway, type SoapInterserverGatewayOptions } from './soap-interserver-gateway';

export { DEFAULT_INTERSERVER_WSDL_URL, SoapInterserverGateway } from './soap-interserver-gateway';
export type { GatewayLogger, SoapInterserverGatewayOptions } from './soap-interserver-gateway';
export { INTERSERVER_WSDL } from './interserver-wsdl';

/** Configuration of {@link createInterserverGateway}: endpoint settings plus the credentials. */
export type InterserverGatewayConfig = SoapInterserverGatewayOptions;

/**
 * Builds the InterServer gateway. Create it once per cold start: it caches the SOAP client, the
 * session id and the license-type catalog.
 */
export function createInterserverGateway(config: InterserverGatewayConfig): InterserverGateway {
  return new SoapInterserverGateway(config);
}
