import * as z from '../../../core/zod';
import { nonPublicIpv4Reason } from './public-ipv4';
import { singleLineText } from '../../../core/safe-text';
import { vendorProfile } from '../../../core/vendor-profile';
import { interserverAttentionChecks } from './attention';

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

/** InterServer: a license type for one server's IP (shared/vendors/interserver-soap.md, api_buy_license). */
export const interserverItemSchema = z.strictObject({
  ip: ipv4,
  /** Catalog id (e.g. 5006) or exact catalog name (e.g. "Softaculous"). */
  licenseType: z.union([z.number().check(z.int(), z.positive()), singleLineText('licenseType', { min: 1, max: 200 })]),
  coupon: z.optional(coupon),
});

/** InterServer as procure's registry lists it (lambdas/core/vendors.ts). */
export const profile = vendorProfile({
  name: 'interserver',
  itemSchema: interserverItemSchema,
  secretFields: { username: '<my.interserver.net login>', password: '<password or API key>' },
  secretDescription: 'InterServer SOAP login',
  priceSource: { id: 'interserver-catalog', description: "InterServer's catalog price" },
  attentionChecks: interserverAttentionChecks,
  // Its status_text refusals (shared/vendors/interserver-soap.md §5; classes in core/errors.ts).
  // Literals: the bundles are minified without keepNames, so a class's `.name` is not its name.
  errorMeanings: {
    invalidRequest: ['InvalidIpError', 'InvalidCouponError', 'InvalidLicenseTypeError', 'IpNotAllowedError'],
    notSellable: ['LicenseAlreadyExistsError'],
    noCredit: ['InsufficientPrepayError'],
  },
  defaultMonthlyCapUsd: 200,
  functions: { InterserverBuy: 'buy.ts' },
});
