import { VENDORS, type Vendor } from '../core/vendor-names';

/** Each name keyed by itself, as ENV lists the variables. */
function selfNamed<N extends string>(names: readonly N[]): { readonly [K in N]: K } {
  return Object.fromEntries(names.map((n) => [n, n])) as { [K in N]: K };
}

/** The variable holding a vendor's monthly cap in USD: `MONTHLY_CAP_<VENDOR>_USD`, one for each vendor of the registry. */
export type MonthlyCapEnv<V extends Vendor = Vendor> = `MONTHLY_CAP_${Uppercase<V>}_USD`;
export function monthlyCapEnv<V extends Vendor>(vendor: V): MonthlyCapEnv<V> {
  return `MONTHLY_CAP_${vendor.toUpperCase() as Uppercase<V>}_USD`;
}
const MONTHLY_CAPS = selfNamed(VENDORS.map(monthlyCapEnv));

/** The variable holding the ARN of a vendor's secret: `<VENDOR>_SECRET_ARN`, one for each vendor of the registry. */
export type SecretArnEnv<V extends Vendor = Vendor> = `${Uppercase<V>}_SECRET_ARN`;
export function secretArnEnv<V extends Vendor>(vendor: V): SecretArnEnv<V> {
  return `${vendor.toUpperCase() as Uppercase<V>}_SECRET_ARN`;
}
const SECRET_ARNS = selfNamed(VENDORS.map(secretArnEnv));

/**
 * procure's own environment variable names, defined once and imported by both the CDK constructs
 * that set them and the handlers that read them (HOUSE-STYLE "Code"). A vendor's own variables are
 * in its folder (lambdas/vendors/<vendor>/shared/env-names.ts), set from its settings; a setting
 * whose variable is named like one of these is refused (lib/vendor-settings.ts).
 */
export const ENV = {
  AUDIT_TABLE_NAME: 'AUDIT_TABLE_NAME',
  STATE_TABLE_NAME: 'STATE_TABLE_NAME',
  ...SECRET_ARNS,
  SIGNING_SECRET_ARN: 'SIGNING_SECRET_ARN',
  APPROVER_EMAILS: 'APPROVER_EMAILS',
  SENDER_EMAIL: 'SENDER_EMAIL',
  APPROVAL_BASE_URL: 'APPROVAL_BASE_URL',
  APPROVAL_TIMEOUT_SECONDS: 'APPROVAL_TIMEOUT_SECONDS',
  /** Comma-separated seconds before an approval round expires at which a reminder goes out ("" = none). */
  APPROVAL_REMINDER_OFFSETS_SECONDS: 'APPROVAL_REMINDER_OFFSETS_SECONDS',
  /** Comma-separated escalation approvers; set only when configured. */
  APPROVAL_ESCALATION_EMAILS: 'APPROVAL_ESCALATION_EMAILS',
  /** Seconds after the approval request at which the escalation approvers are asked. */
  APPROVAL_ESCALATION_DELAY_SECONDS: 'APPROVAL_ESCALATION_DELAY_SECONDS',
  /** The approval policy by amount (core/approval-policy.ts) as JSON: tiers with their approvers resolved, and the escalation approvers. */
  APPROVAL_POLICY: 'APPROVAL_POLICY',
  ...MONTHLY_CAPS,
  DAILY_PURCHASE_LIMIT: 'DAILY_PURCHASE_LIMIT',
  STATE_MACHINE_ARN: 'STATE_MACHINE_ARN',
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  EVENT_SOURCE: 'EVENT_SOURCE',
} as const;
