/** CoCalc's variables (its settings, ../settings.ts, set them; its callers read them in ./config.ts). */
export const COCALC_ENV = {
  /** CoCalc API v2 base URL. */
  BASE_URL: 'COCALC_BASE_URL',
  /** `current` or `legacy` checkout call. */
  CHECKOUT_MODE: 'COCALC_CHECKOUT_MODE',
  /** Optional JSON `[{max, windowMs}]`: the account's cart/add limits when they differ from CoCalc's. */
  CART_ADD_LIMITS: 'COCALC_CART_ADD_LIMITS',
} as const;
