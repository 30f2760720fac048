import * as z from './zod';
import { rangeEndIssue, siteLicenseDescriptionSchema } from '../vendors/cocalc/core/license';
import { InvalidRequestError } from './errors';
import { nonPublicIpv4Reason } from './public-ipv4';
import { multiLineText, singleLineText } from './safe-text';

/**
 * One purchase request schema for both vendors (issue #3 "Purchase requests"). `requestId` is the
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

/** A public IPv4 address (public-ipv4.ts: documentation ranges are accepted on purpose). */
// abort: a malformed address gets only the format issue.
const ipv4 = z.ipv4({ message: 'ip must be an IPv4 address', abort: true }).check(
  z.superRefine((ip, ctx) => {
    const why = nonPublicIpv4Reason(ip);
    if (why) ctx.addIssue({ code: 'custom', message: `ip must be a public IPv4 address: ${why}` });
  }),
);

/** Vendor coupon codes are short tokens; anything else is refused before it reaches a vendor or a mail. */
const coupon = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'coupon must be 1 to 64 letters, digits, _ or -'));

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

export const cocalcItemSchema = z.strictObject({
  description: siteLicenseDescriptionSchema,
  projectId: z.optional(z.uuid()),
});

export const interserverItemSchema = z.strictObject({
  ip: ipv4,
  /** Catalog id (e.g. 5006) or exact catalog name (e.g. "Softaculous"). */
  licenseType: z.union([z.number().check(z.int(), z.positive()), singleLineText('licenseType', { min: 1, max: 200 })]),
  coupon: z.optional(coupon),
});

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

export const purchaseRequestSchema = z.discriminatedUnion('vendor', [
  z.strictObject({ ...base, vendor: z.literal('cocalc'), item: cocalcItemSchema }),
  z.strictObject({ ...base, vendor: z.literal('interserver'), item: interserverItemSchema }),
]);

export type PurchaseRequest = z.output<typeof purchaseRequestSchema>;
export type Vendor = PurchaseRequest['vendor'];
export const VENDORS: readonly Vendor[] = ['cocalc', 'interserver'];

/** Whether the requester of `request` gets notices (the default, unless the request opted out). */
export function wantsNotices(request: Pick<PurchaseRequest, 'notifyRequester'>): boolean {
  return request.notifyRequester !== false;
}

/**
 * What only intake refuses, because it depends on the time of submission: a CoCalc `range` that
 * does not end in the future. (Not part of the schema: later steps re-parse the stored request,
 * and a range that ended since must not make a past purchase unreadable.)
 */
export function intakeIssues(request: PurchaseRequest, now: Date): string[] {
  if (request.vendor !== 'cocalc') return [];
  const why = rangeEndIssue(request.item.description, now);
  return why ? [`item.description.range: ${why}`] : [];
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
