import * as z from './zod';
import { InvalidRequestError } from './errors';
import { multiLineText, singleLineText } from './safe-text';
import type { VendorProfile } from './vendor-profile';
import { profileOf, VENDOR_PROFILES, VENDORS, type Vendor } from './vendors';

/**
 * One purchase request schema for every vendor of the registry (issue #3 "Purchase requests";
 * each vendor's `item` comes from its profile, ./vendors.ts). `requestId` is the
 * caller's idempotency key: the same id always maps to the same purchase.
 */
export const requestIdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(80), z.regex(/^[A-Za-z0-9._:-]+$/, 'requestId may contain only letters, digits and . _ : -'));

/** Text fields refuse controls and bidi formatting (safe-text.ts): they reach approvers' mails and terminals. */
const requester = z.strictObject({
  // RFC 5321: a local part is at most 64 octets.
  email: z.email().check(z.refine((e) => e.lastIndexOf('@') <= 64, 'email local part (before @) must be at most 64 characters')),
  name: singleLineText('name', { min: 1, max: 120 }),
});

/** Largest maxCost accepted (USD). */
export const MAX_COST_LIMIT_USD = 1_000_000;

/**
 * maxCost: a positive whole number of cents, at most {@link MAX_COST_LIMIT_USD}. Also keeps numbers
 * DynamoDB cannot store (below 1e-130) out of every record.
 */
const maxCost = z.number().check(
  z.gte(0.01, 'maxCost must be at least 0.01 (one cent)'),
  z.lte(MAX_COST_LIMIT_USD, `maxCost must be at most ${MAX_COST_LIMIT_USD}`),
  z.refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'maxCost must be a whole number of cents (at most 2 decimals)'),
);

const base = {
  requestId: requestIdSchema,
  requester,
  reason: multiLineText('reason', { min: 1, max: 1000 }),
  maxCost: z.optional(maxCost),
  /**
   * Whether the requester is mailed when the purchase is decided and when it ends
   * (core/requester-notice.ts). Absent means yes; `false` opts this request out.
   */
  notifyRequester: z.optional(z.boolean({ message: 'notifyRequester must be true or false' })),
};

/** The request of one vendor's profile: the common fields, `vendor` its name, `item` its item schema. */
type RequestSchema<P extends VendorProfile> = z.ZodMiniObject<typeof base & { vendor: z.ZodMiniLiteral<P['name']>; item: P['itemSchema'] }, z.core.$strict>;

function requestOf<P extends VendorProfile>(profile: P): RequestSchema<P> {
  return z.strictObject({ ...base, vendor: z.literal(profile.name as P['name']), item: profile.itemSchema as P['itemSchema'] });
}

/**
 * The request schema for a list of vendor profiles: one strict object a vendor, told apart by
 * `vendor`. procure's is {@link purchaseRequestSchema}, for the registry's list (./vendors.ts);
 * a test passes a longer list to see a vendor added by its profile alone.
 */
export function purchaseRequestSchemaFor<const T extends readonly [VendorProfile, ...VendorProfile[]]>(profiles: T) {
  const schemas = profiles.map(requestOf) as unknown as { -readonly [K in keyof T]: RequestSchema<T[K]> };
  return z.discriminatedUnion('vendor', schemas);
}

export const purchaseRequestSchema = purchaseRequestSchemaFor(VENDOR_PROFILES);

export type PurchaseRequest = z.output<typeof purchaseRequestSchema>;
export type { Vendor };
export { VENDORS };

/** Whether the requester of `request` gets notices (the default, unless the request opted out). */
export function wantsNotices(request: Pick<PurchaseRequest, 'notifyRequester'>): boolean {
  return request.notifyRequester !== false;
}

/**
 * What only intake refuses, because it depends on the time of submission: the vendor profile's
 * `intakeIssues` (CoCalc: a `range` that does not end in the future).
 */
export function intakeIssues(request: PurchaseRequest, now: Date): string[] {
  const profile: VendorProfile = profileOf(request.vendor);
  return profile.intakeIssues?.(request.item, now) ?? [];
}

/** Parses a purchase request or throws InvalidRequestError with every reason. */
export function parsePurchaseRequest(input: unknown): PurchaseRequest {
  const r = purchaseRequestSchema.safeParse(input);
  if (!r.success) {
    const issues = z.describeIssues(r.error);
    throw new InvalidRequestError(`invalid purchase request: ${issues.join('; ')}`, issues);
  }
  return r.data;
}
