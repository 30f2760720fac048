/**
 * Environment variable names, defined once and imported by both the CDK constructs that set them
 * and the handlers that read them (HOUSE-STYLE "Code").
 */
export const ENV = {
  AUDIT_TABLE_NAME: 'AUDIT_TABLE_NAME',
  STATE_TABLE_NAME: 'STATE_TABLE_NAME',
  COCALC_SECRET_ARN: 'COCALC_SECRET_ARN',
  INTERSERVER_SECRET_ARN: 'INTERSERVER_SECRET_ARN',
  SIGNING_SECRET_ARN: 'SIGNING_SECRET_ARN',
  COCALC_BASE_URL: 'COCALC_BASE_URL',
  COCALC_CHECKOUT_MODE: 'COCALC_CHECKOUT_MODE',
  /** Optional JSON `[{max, windowMs}]`: the account's cart/add limits when they differ from CoCalc's. */
  COCALC_CART_ADD_LIMITS: 'COCALC_CART_ADD_LIMITS',
  INTERSERVER_WSDL_URL: 'INTERSERVER_WSDL_URL',
  INTERSERVER_ENDPOINT: 'INTERSERVER_ENDPOINT',
  INTERSERVER_PAYMENT_POLICY: 'INTERSERVER_PAYMENT_POLICY',
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
  MONTHLY_CAP_COCALC_USD: 'MONTHLY_CAP_COCALC_USD',
  MONTHLY_CAP_INTERSERVER_USD: 'MONTHLY_CAP_INTERSERVER_USD',
  DAILY_PURCHASE_LIMIT: 'DAILY_PURCHASE_LIMIT',
  STATE_MACHINE_ARN: 'STATE_MACHINE_ARN',
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  EVENT_SOURCE: 'EVENT_SOURCE',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];
