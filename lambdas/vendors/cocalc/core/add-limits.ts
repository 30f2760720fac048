import type { RateLimit } from '../../../core/rate-slots';

/** CoCalc `shopping/cart/add`: 3/second, 15/minute, 200/hour per account (cocalc-api-v2.md §2). */
export const COCALC_CART_ADD_LIMITS: readonly RateLimit[] = [
  { max: 3, windowMs: 1_000 },
  { max: 15, windowMs: 60_000 },
  { max: 200, windowMs: 3_600_000 },
];

/** The rate-slot ledger key of CoCalc `shopping/cart/add` (state table SLOTS#cocalc-cart-add). */
export const COCALC_CART_ADD_SLOT_KEY = 'cocalc-cart-add';
