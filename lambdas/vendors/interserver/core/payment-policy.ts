/**
 * What InterServer buys do about payment: leave the invoice unpaid, pay only from PrePay, or pay
 * now (interserver-soap.md §4, api_buy_license's invoice). Declared in core so that the buy rules,
 * the functions' config reader and the CDK configuration take the one list from the domain.
 */
export const INTERSERVER_PAYMENT_POLICIES = ['leave-unpaid', 'prepay-only', 'pay-now'] as const;
export type InterserverPaymentPolicy = (typeof INTERSERVER_PAYMENT_POLICIES)[number];
