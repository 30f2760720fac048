import * as z from 'zod';
import type { CocalcCartItem, CocalcCheckoutParams, CocalcManagedLicense } from '../../core/ports';

/**
 * zod schemas for CoCalc's responses (cocalc-api-v2.md), each mapping the vendor's snake_case
 * rows to the port's camelCase types. Unknown fields are dropped; a missing or mistyped field the
 * port needs makes the response "malformed" instead of leaking `undefined` into procure.
 */

const nullableString = z.string().nullable().optional().transform((v) => v ?? null);
const nullableNumber = z.number().nullable().optional().transform((v) => v ?? null);
const jsonObject = z.record(z.string(), z.unknown());

/** §3 user-query accounts get. An account without an email maps to ''. */
export const verifyKeyResponse = z
  .object({
    query: z.object({ accounts: z.object({ account_id: z.string().min(1), email_address: nullableString }) }),
  })
  .transform(({ query: { accounts: a } }) => ({ accountId: a.account_id, email: a.email_address ?? '' }));

/** §4.1 Item. */
export const cartItemResponse = z
  .object({
    id: z.number().int(),
    added: z.string(),
    checked: z.boolean().nullable().optional(),
    removed: nullableString,
    purchased: z
      .object({ success: z.boolean().optional(), time: z.string().optional(), license_id: z.string().optional() })
      .nullable()
      .optional(),
    product: z.string(),
    description: jsonObject,
    project_id: nullableString,
  })
  .transform(
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
  );

/** §4.4 shopping/cart/get list. */
export const cartResponse = z.array(cartItemResponse);

/** remove/delete/edit/checked and add all answer a bare row count (§4.3, §4.5). */
export const rowCountResponse = z.number().int().min(0);

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
  cart: z.array(z.object({ id: z.number().int(), lineItemAmount: z.number() })),
}) satisfies z.ZodType<CocalcCheckoutParams>;

/** §6 get-managed: timestamps are epoch milliseconds and stay numbers. */
export const managedLicensesResponse = z.array(
  z
    .object({
      id: z.string().min(1),
      title: nullableString,
      description: nullableString,
      created: nullableNumber,
      activates: nullableNumber,
      expires: nullableNumber,
      run_limit: nullableNumber,
      quota: jsonObject.nullable().optional(),
    })
    .transform(
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
);
