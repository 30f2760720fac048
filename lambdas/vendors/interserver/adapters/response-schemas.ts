import * as z from '../../../core/zod';
import { VendorRejectedError, VendorTransientError } from '../../../core/errors';
import type { InterserverInvoice, InterserverLicense, InterserverLicenseType } from '../core/ports';
import type { Unwrapped } from './unwrap';

/**
 * zod schemas for the unwrapped InterServer responses (field names and types: interserver-soap.md
 * §2) and their mapping to the port's plain objects. Identifiers, amounts and statuses are
 * required; descriptive fields that NuSOAP may leave empty default to "" / 0.
 */

/** A number, or a numeric string (untyped servers; costs such as "3.00", §8). */
const num = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v), z.number());
const int = z.pipe(num, z.number().check(z.int()));
/** An empty element (unwrapped to "" or null) counts as 0 for optional numeric fields. */
const optionalInt = z.preprocess((v) => (v === '' || v === null || v === undefined ? 0 : v), int);
/** node-soap turns an empty untyped string into null (toolchain.md §6.5). */
const text = z.preprocess((v) => (v === null || v === undefined ? '' : v), z.string());
const requiredText = z.string().check(z.minLength(1));

export const statusSchema = z.object({ status: text, status_text: text });
export type StatusReply = z.output<typeof statusSchema>;

export const buySuccessSchema = z.extend(statusSchema, { invoice: z.pipe(int, z.number().check(z.gte(0))), cost: num });

const licenseTypeRow = z.object({ services_id: int, services_name: requiredText, services_cost: num });
const licenseTypeSchema = z.pipe(
  licenseTypeRow,
  z.transform((r): InterserverLicenseType => ({ id: r.services_id, name: r.services_name, cost: r.services_cost })),
);

const licenseRow = z.object({
  license_id: int,
  license_type: int,
  license_currency: text,
  license_order_date: text,
  license_ip: requiredText,
  license_status: requiredText,
  license_hostname: text,
  license_key: text,
  license_invoice: optionalInt,
  license_coupon: optionalInt,
});
const licenseSchema = z.pipe(
  licenseRow,
  z.transform(
    (r): InterserverLicense => ({
      id: r.license_id,
      type: r.license_type,
      ip: r.license_ip,
      status: r.license_status,
      orderDate: r.license_order_date,
      hostname: r.license_hostname,
      key: r.license_key,
      repeatInvoice: r.license_invoice,
      coupon: r.license_coupon,
      currency: r.license_currency,
    }),
  ),
);

const paidFlag = z.preprocess(
  (v) => (v === true || v === 1 || v === '1' ? 1 : v === false || v === 0 || v === '0' ? 0 : v),
  z.union([z.literal(0), z.literal(1)]),
);

const invoiceRow = z.object({
  invoices_id: int,
  invoices_description: text,
  invoices_amount: num,
  invoices_type: optionalInt,
  invoices_date: text,
  invoices_paid: paidFlag,
  invoices_module: text,
  invoices_due_date: text,
  invoices_service: optionalInt,
  invoices_currency: text,
});
const invoiceSchema = z.pipe(
  invoiceRow,
  z.transform(
    (r): InterserverInvoice => ({
      id: r.invoices_id,
      description: r.invoices_description,
      amount: r.invoices_amount,
      paid: r.invoices_paid === 1,
      module: r.invoices_module,
      serviceId: r.invoices_service,
      date: r.invoices_date,
      dueDate: r.invoices_due_date,
      type: r.invoices_type,
      currency: r.invoices_currency,
    }),
  ),
);

/** A SOAP-ENC array; an empty element without array attributes ("") also means no rows. */
function list<T extends z.ZodMiniType>(row: T) {
  return z.preprocess((v) => (v === '' ? [] : v), z.array(row));
}

export const sidSchema = text;
/** api_get_prepay_remaining's status_text: a decimal amount such as "0" or "12.5" (§4). */
export const prepayAmountSchema = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() : v),
  z.pipe(z.string().check(z.regex(/^\d+(\.\d+)?$/, 'expected a decimal amount')), z.transform(Number)),
);
export const licenseTypesSchema = list(licenseTypeSchema);
export const licensesSchema = list(licenseSchema);
export const licenseSchemaOrEmpty = z.union([z.literal(''), licenseSchema]);
export const invoicesSchema = list(invoiceSchema);

/**
 * Validates `value` against `schema`. A mismatch is a clear error naming the operation and the
 * offending fields. For a call that changes something (buy, pay, cancel) it is a
 * VendorTransientError, because the server did process the request and its outcome is unknown
 * until reconciled; for a read it is a VendorRejectedError (repeating will not fix it).
 */
export function parseReply<T extends z.ZodMiniType>(operation: string, schema: T, value: Unwrapped, changesState: boolean): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = z.describeIssues(r.error, '(root)').slice(0, 3).join('; ');
  const message = `InterServer ${operation} returned a malformed response: ${issues}`;
  throw changesState ? new VendorTransientError(`${message} (outcome unknown)`) : new VendorRejectedError(message);
}
