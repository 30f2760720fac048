import * as z from '../../../core/zod';
import { type Env, nonEmpty, read, url } from '../../../shared/config-read';
import { ENV } from '../../../shared/env-names';
import { INTERSERVER_PAYMENT_POLICIES, type InterserverPaymentPolicy } from '../core/payment-policy';

/** InterServer's variables as its callers read them (set from its settings, ../settings.ts), checked at cold start. */
export interface InterserverConfig {
  wsdlUrl: string;
  /** SOAP endpoint; when absent, the WSDL URL without its query string. */
  endpoint: string;
  paymentPolicy: InterserverPaymentPolicy;
  secretId: string;
}
export function interserverConfig(env: Env = process.env): InterserverConfig {
  const wsdlUrl = read(env, ENV.INTERSERVER_WSDL_URL, url);
  const endpoint = env[ENV.INTERSERVER_ENDPOINT] ? read(env, ENV.INTERSERVER_ENDPOINT, url) : wsdlUrl.replace(/\?.*$/, '');
  return {
    wsdlUrl,
    endpoint,
    paymentPolicy: read(env, ENV.INTERSERVER_PAYMENT_POLICY, z.enum(INTERSERVER_PAYMENT_POLICIES)),
    secretId: read(env, ENV.INTERSERVER_SECRET_ARN, nonEmpty),
  };
}
