import { z } from 'zod';
import { siteLicenseDescriptionSchema } from './cocalc-license';
import { InvalidRequestError } from './errors';

/**
 * One purchase request schema for both vendors (issue #3 "Purchase requests"). `requestId` is the
 * caller's idempotency key: the same id always maps to the same purchase.
 */
export const requestIdSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9._:-]+$/, 'requestId may contain only letters, digits and . _ : -');

const requester = z.object({ email: z.email(), name: z.string().min(1).max(120) }).strict();

const ipv4 = z.ipv4({ message: 'ip must be an IPv4 address' });

export const cocalcItemSchema = z
  .object({
    description: siteLicenseDescriptionSchema,
    projectId: z.uuid().optional(),
  })
  .strict();

export const interserverItemSchema = z
  .object({
    ip: ipv4,
    /** Catalog id (e.g. 5006) or exact catalog name (e.g. "Softaculous"). */
    licenseType: z.union([z.number().int().positive(), z.string().min(1).max(200)]),
    coupon: z.string().max(64).optional(),
  })
  .strict();

const base = {
  requestId: requestIdSchema,
  requester,
  reason: z.string().min(1).max(1000),
  maxCost: z.number().positive().max(1_000_000).optional(),
};

export const purchaseRequestSchema = z.discriminatedUnion('vendor', [
  z.object({ ...base, vendor: z.literal('cocalc'), item: cocalcItemSchema }).strict(),
  z.object({ ...base, vendor: z.literal('interserver'), item: interserverItemSchema }).strict(),
]);

export type PurchaseRequest = z.output<typeof purchaseRequestSchema>;
export type Vendor = PurchaseRequest['vendor'];
export const VENDORS: readonly Vendor[] = ['cocalc', 'interserver'];

/**
 * Formats zod issues as short sentences: "item.description.ram: ram must be between 4 and 16 ...".
 * An issue about the whole value is labelled `rootLabel`.
 */
export function describeIssues(error: z.ZodError, rootLabel = '(body)'): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : rootLabel}: ${i.message}`);
}

/** Parses a purchase request or throws InvalidRequestError with every reason. */
export function parsePurchaseRequest(input: unknown): PurchaseRequest {
  const r = purchaseRequestSchema.safeParse(input);
  if (!r.success) {
    const issues = describeIssues(r.error);
    throw new InvalidRequestError(`invalid purchase request: ${issues.join('; ')}`, issues);
  }
  return r.data;
}
