/**
 * How procure checks out a CoCalc cart (shared/vendors/cocalc-api-v2.md §4.6, §4.7): `current`
 * calls purchases/shopping-cart-checkout, `legacy` the removed shopping/cart/checkout. Declared in
 * core so that ports, config readers and the CDK config all take the one list from the domain.
 */
export const COCALC_CHECKOUT_MODES = ['current', 'legacy'] as const;
export type CocalcCheckoutMode = (typeof COCALC_CHECKOUT_MODES)[number];
