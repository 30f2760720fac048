import * as z from '../../../core/zod';
import { vendorProfile } from '../../../core/vendor-profile';
import { cocalcAttentionChecks } from './attention';
import { rangeEndIssue, siteLicenseDescriptionSchema } from './license';

/** CoCalc: a site license (shared/vendors/cocalc-api-v2.md §4.2), optionally for one project. */
export const cocalcItemSchema = z.strictObject({
  description: siteLicenseDescriptionSchema,
  projectId: z.optional(z.uuid()),
});

/** CoCalc as procure's registry lists it (lambdas/core/vendors.ts). */
export const cocalcProfile = vendorProfile({
  name: 'cocalc',
  itemSchema: cocalcItemSchema,
  // A `range` that does not end in the future (the vendor would sell a license already over).
  intakeIssues: (item, now) => {
    const why = rangeEndIssue(item.description, now);
    return why ? [`item.description.range: ${why}`] : [];
  },
  secretFields: { apiKey: '<CoCalc API key>' },
  secretDescription: 'CoCalc API v2 key',
  priceSource: { id: 'cocalc-v3-formula', description: "CoCalc's v3 price formula: the total its checkout charges and Checkout verifies" },
  attentionChecks: cocalcAttentionChecks,
  // "Insufficient credit on your account" (cocalc-api-v2.md §4.7; core/errors.ts). A literal: the
  // bundles are minified without keepNames.
  errorMeanings: { noCredit: ['InsufficientCreditError'] },
  defaultMonthlyCapUsd: 500,
  functions: { CocalcAddToCart: 'add-to-cart.ts', CocalcCheckout: 'checkout.ts' },
});

/** The name the registry imports it by (scripts/vendor-registry.ts). */
export { cocalcProfile as profile };
