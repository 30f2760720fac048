/** InterServer's variables (its settings, ../settings.ts, set them; its callers read them in ./config.ts). */
export const INTERSERVER_ENV = {
  /** Where the SOAP API's WSDL is. */
  WSDL_URL: 'INTERSERVER_WSDL_URL',
  /** The SOAP endpoint, when it is not the WSDL URL without its query. */
  ENDPOINT: 'INTERSERVER_ENDPOINT',
  /** What BuyLicense does about the invoice a buy leaves (core/payment-policy.ts). */
  PAYMENT_POLICY: 'INTERSERVER_PAYMENT_POLICY',
} as const;
