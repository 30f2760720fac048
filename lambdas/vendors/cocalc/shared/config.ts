import * as z from '../../../core/zod';
import type { RateLimit } from '../../../core/rate-slots';
import { ConfigError, type Env, jsonOf, nonEmpty, read, url } from '../../../shared/config-read';
import { ENV } from '../../../shared/env-names';
import { COCALC_CART_ADD_LIMITS } from '../core/add-limits';
import { COCALC_CHECKOUT_MODES, type CocalcCheckoutMode } from '../core/checkout-mode';
import { COCALC_ENV } from './env-names';

/** CoCalc's variables as its callers read them (set from its settings, ../settings.ts), checked at cold start. */
export interface CocalcConfig {
  baseUrl: string;
  checkoutMode: CocalcCheckoutMode;
  secretId: string;
}
export function cocalcConfig(env: Env = process.env): CocalcConfig {
  return {
    baseUrl: read(env, COCALC_ENV.BASE_URL, url),
    checkoutMode: read(env, COCALC_ENV.CHECKOUT_MODE, z.enum(COCALC_CHECKOUT_MODES)),
    secretId: read(env, ENV.COCALC_SECRET_ARN, nonEmpty),
  };
}

/**
 * The CoCalc account's `shopping/cart/add` limits: the vendor's published ones (cocalc-api-v2.md
 * §2) unless COCALC_CART_ADD_LIMITS says otherwise (an account with other limits; tests with
 * shortened windows).
 */
export function cocalcCartAddLimits(env: Env = process.env): readonly RateLimit[] {
  if (!env[COCALC_ENV.CART_ADD_LIMITS]) return COCALC_CART_ADD_LIMITS;
  const limits = z.array(z.strictObject({ max: z.number().check(z.int(), z.gte(1)), windowMs: z.number().check(z.int(), z.gte(1)) })).check(z.minLength(1));
  const r = limits.safeParse(jsonOf(COCALC_ENV.CART_ADD_LIMITS, env[COCALC_ENV.CART_ADD_LIMITS]!));
  if (!r.success) throw new ConfigError(`environment variable ${COCALC_ENV.CART_ADD_LIMITS} is invalid: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}
