import type { VendorProfile } from './vendor-profile';
import { VENDOR_PROFILES } from './vendors';

// Not in ./workflow.ts, which the Lambda bundles import: only the CDK app and the tests read
// FUNCTIONS, and deriving it loads every vendor's profile.

/**
 * Lambda construct ids (a contract: the local runtime maps logical ids back to these) and the
 * handler entry file (under lambdas/) each one bundles: lambdas/handlers/, or a vendor's own
 * handlers/ folder (lambdas/vendors/<vendor>/handlers/).
 */
const PROCURE_FUNCTIONS = {
  PurchasesApi: 'handlers/purchases-api.ts', // POST /purchases, GET /purchases(/{id})
  Intake: 'handlers/intake.ts', // EventBridge "License Purchase Requested"
  PreparePurchase: 'handlers/prepare-purchase.ts', // ValidateAndQuote, ReserveBudget and the first AddToCart
  RequestApproval: 'handlers/request-approval.ts',
  ApprovalsApi: 'handlers/approvals-api.ts', // GET/POST /approvals/{id}
  VerifyLicense: 'handlers/verify-license.ts',
  RecordOutcome: 'handlers/record-outcome.ts', // RecordCompleted and RecordNotCompleted
  ListLicenses: 'handlers/list-licenses.ts', // GET /licenses?vendor=
  QuotesApi: 'handlers/quotes-api.ts', // POST /quotes: price, budget left and approval, nothing reserved
  Reconcile: 'handlers/reconcile.ts', // EventBridge Scheduler (AWS) / the local runtime's timer
  ApprovalReminders: 'handlers/approval-reminders.ts', // scheduled reminders and escalations; POST /purchases/{id}/approvals/resend
} as const;

/** procure's own functions (each vendor's are in its profile). */
export type ProcureFunctionId = keyof typeof PROCURE_FUNCTIONS;

type VendorFunctions = { [P in (typeof VENDOR_PROFILES)[number] as keyof P['functions']]: string };

const vendorFunctions = VENDOR_PROFILES.flatMap((p: VendorProfile) =>
  Object.entries(p.functions).map(([id, entry]) => [id, `${p.handlersDir ?? `vendors/${p.name}/handlers`}/${entry}`] as const),
);
/** The ids in `ids` that come more than once. */
export function namedTwice(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}

// A vendor's function named like another function would silently take its place.
const twice = namedTwice([...Object.keys(PROCURE_FUNCTIONS), ...vendorFunctions.map(([id]) => id)]);
if (twice.length) throw new Error(`function ids named twice (procure's own and the vendor profiles' functions): ${twice.join(', ')}`);

/** procure's own functions, then each vendor's (its profile's `functions`, entries in its handlers/ folder). */
export const FUNCTIONS = {
  ...PROCURE_FUNCTIONS,
  ...(Object.fromEntries(vendorFunctions) as VendorFunctions),
};
export type FunctionId = keyof typeof FUNCTIONS;
