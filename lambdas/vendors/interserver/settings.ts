import { z } from 'zod';
import { httpUrl } from '../../../lib/config-fields';
import { vendorSettings } from '../../../lib/vendor-setting';
import { INTERSERVER_PAYMENT_POLICIES } from './core/payment-policy';
import { INTERSERVER_ENV } from './shared/env-names';

/** InterServer's configuration settings (lib/vendor-setting.ts): its WSDL and SOAP endpoint, and what a buy does about payment. */
export const interserverSettings = vendorSettings({
  /** InterServer SOAP WSDL. */
  interserverWsdlUrl: {
    schema: httpUrl,
    default: 'https://my.interserver.net/api.php?wsdl',
    variable: INTERSERVER_ENV.WSDL_URL,
    output: { name: 'InterserverWsdlUrl', description: 'InterServer WSDL the functions load' },
  },
  /** What InterServer buys do about payment: leave the invoice unpaid, pay only from PrePay, or pay now. */
  interserverPaymentPolicy: { schema: z.enum(INTERSERVER_PAYMENT_POLICIES), default: 'leave-unpaid', variable: INTERSERVER_ENV.PAYMENT_POLICY },
  /** InterServer SOAP endpoint, when it differs from the WSDL URL without its query string (unset: the handlers derive it). */
  interserverEndpoint: {
    schema: httpUrl,
    variable: INTERSERVER_ENV.ENDPOINT,
    output: { name: 'InterserverEndpoint', description: 'InterServer SOAP endpoint, when it differs from the WSDL URL' },
  },
});

/** The name the registry imports it by (scripts/vendor-registry.ts). */
export { interserverSettings as settings };
