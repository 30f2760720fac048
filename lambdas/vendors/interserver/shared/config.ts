import * as z from '../../../core/zod';
import { type Env, nonEmpty, read, url } from '../../../shared/config-read';
import { ENV } from '../../../shared/env-names';
import { INTERSERVER_PAYMENT_POLICIES, type InterserverPaymentPolicy } from '../core/payment-policy';
import { INTERSERVER_ENV } from './env-names';

/** InterServer's variables as its callers read them (set from its settings, ../settings.ts), checked at cold start. */
export interface InterserverConfig {
  wsdlUrl: string;
  /** SOAP endpoint; when absent, the WSDL URL without its query string. */
  endpoint: string;
  paymentPolicy: InterserverPaymentPolicy;
  secretId: string;
}
export function interserverConfig(env: Env = process.env): InterserverConfig {
  const wsdlUrl = read(env, INTERSERVER_ENV.WSDL_URL, url);
  const endpoint = env[INTERSERVER_ENV.ENDPOINT] ? read(env, INTERSERVER_ENV.ENDPOINT, url) : wsdlUrl.replace(/\?.*$/, '');
  return {
    wsdlUrl,
    endpoint,
    paymentPolicy: read(env, INTERSERVER_ENV.PAYMENT_POLICY, z.enum(INTERSERVER_PAYMENT_POLICIES)),
    secretId: read(env, ENV.INTERSERVER_SECRET_ARN, nonEmpty),
  };
}
