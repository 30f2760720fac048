import * as z from '../../../core/zod';
import type { CocalcCartItem, CocalcCheckoutParams, CocalcManagedLicense } from '../core/ports';

/**
 * zod schemas for CoCalc's responses (cocalc-api-v2.md), each mapping the vendor's snake_case
 * rows to the port's camelCase types. Unknown fields are dropped; a missing or mistyped field the
 * port needs makes the response "malformed" instead of leaking `undefined` into procure.
 */

const nullableString = z.pipe(
  z.optional(z.nullable(z.string())),
  z.transform((v) => v ?? null),
);
const nullableNumber = z.pipe(
  z.optional(z.nullable(z.number())),
  z.transform((v) => v ?? null),
);
const jsonObject = z.record(z.string(), z.unknown());

/** §3 user-query accounts get. An account without an email maps to ''. */
const verifyKeyRow = z.object({
  query: z.object({ accounts: z.object({ account_id: z.string().check(z.minLength(1)), email_address: nullableString }) }),
});
export const verifyKeyResponse = z.pipe(
  verifyKeyRow,
  z.transform(({ query: { accounts: a } }) => ({ accountId: a.account_id, email: a.email_address ?? '' })),
);

/** §4.1 Item. */
const cartItemRow = z.object({
  id: z.number().check(z.int()),
  added: z.string(),
  checked: z.optional(z.nullable(z.boolean())),
  removed: nullableString,
  purchased: z.optional(z.nullable(z.object({ success: z.optional(z.boolean()), time: z.optional(z.string()), license_id: z.optional(z.string()) }))),
  product: z.string(),
  description: jsonObject,
  project_id: nullableString,
});
export const cartItemResponse = z.pipe(
  cartItemRow,
  z.transform(
    (r): CocalcCartItem => ({
      id: r.id,
      added: r.added,
      // Only checked items are bought; null is "not checked" (§4.1).
      checked: r.checked === true,
      removed: r.removed,
      purchased: r.purchased
        ? {
            ...(r.purchased.success !== undefined && { success: r.purchased.success }),
            ...(r.purchased.time !== undefined && { time: r.purchased.time }),
            ...(r.purchased.license_id !== undefined && { licenseId: r.purchased.license_id }),
          }
        : null,
      product: r.product,
      description: r.description,
      projectId: r.project_id,
    }),
  ),
);

/** §4.4 shopping/cart/get list. */
export const cartResponse = z.array(cartItemResponse);

/** remove/delete/edit/checked and add all answer a bare row count (§4.3, §4.5). */
export const rowCountResponse = z.number().check(z.int(), z.gte(0));

/** Both checkouts answer `{"success":true}` (§4.6, §4.7). */
export const successResponse = z.object({ success: z.literal(true) });

/**
 * §4.7 get-shopping-cart-checkout-params. The vendor's names are already the port's, so the parsed
 * object (unknown fields stripped) is the {@link CocalcCheckoutParams} as it is.
 */
export const checkoutParamsResponse = z.object({
  balance: z.number(),
  minBalance: z.number(),
  minPayment: z.number(),
  amountDue: z.number(),
  chargeAmount: z.number(),
  total: z.number(),
  cart: z.array(z.object({ id: z.number().check(z.int()), lineItemAmount: z.number() })),
}) satisfies z.ZodMiniType<CocalcCheckoutParams>;

/** §6 get-managed: timestamps are epoch milliseconds and stay numbers. */
const managedLicenseRow = z.object({
  id: z.string().check(z.minLength(1)),
  title: nullableString,
  description: nullableString,
  created: nullableNumber,
  activates: nullableNumber,
  expires: nullableNumber,
  run_limit: nullableNumber,
  quota: z.optional(z.nullable(jsonObject)),
});
export const managedLicensesResponse = z.array(
  z.pipe(
    managedLicenseRow,
    z.transform(
      (r): CocalcManagedLicense => ({
        id: r.id,
        title: r.title,
        description: r.description,
        created: r.created,
        activates: r.activates,
        expires: r.expires,
        runLimit: r.run_limit,
        quota: r.quota ?? null,
      }),
    ),
  ),
);
