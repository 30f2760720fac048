import type { Vendor } from '../lambdas/core/purchase-request';
import type { API_ACCESS_LOG_MODES, ApiAccessLogMode } from './api-access-log-modes';
import type { VendorSettingsConfig } from './vendor-settings';

// The configuration's shape only. What goes with it lives next door, one concern a file:
// config-defaults.ts (the defaults), config-schema.ts (what a value may be), resolve-config.ts
// (defaults merged and validated), read-config.ts (from CDK context), config-warnings.ts (values
// that synthesize but cannot work), execution-timeout.ts and counter-size-config.ts (limits).

/**
 * Deployment configuration of the procure stack: who approves, what may be spent, where the
 * vendors are, which events start a purchase. Read from CDK context at synth time (see
 * `readProcureConfig`, read-config.ts) and turned into Lambda environment variables by the stack; the
 * handlers validate the same values again at cold start (lambdas/shared/config.ts). Where each
 * vendor is, and its other settings, are declared in its folder (`lambdas/vendors/<vendor>/settings.ts`,
 * lib/vendor-settings.ts): `cocalcBaseUrl`, `interserverWsdlUrl`, ... are keys of this type through them.
 */
export interface ProcureConfig extends VendorSettingsConfig {
  /**
   * Who receives approval mails; every one gets its own signed link.
   * @default ['approver@example.com']
   */
  readonly approverEmails: readonly string[];
  /**
   * Who the alarm topic mails (failed or stuck executions, the request dead-letter queue, function
   * errors, purchases ending NEEDS_ATTENTION or FAILED); each address confirms its subscription.
   * @default - the approvers (`opsEmailsOf`, config-defaults.ts)
   */
  readonly opsEmails?: readonly string[];
  /**
   * SES sender address (a verified SES identity, or an address in a verified domain).
   * @default 'procure@example.com'
   */
  readonly senderEmail: string;
  /**
   * Base URL of the approval links in the mails (no trailing slash needed).
   * @default - the URL of the stack's own API stage
   */
  readonly approvalBaseUrl?: string;
  /**
   * Monthly spend cap per vendor, USD; the spend guard refuses a reservation above it.
   * @default { cocalc: 500, interserver: 200 }
   */
  readonly monthlyCapUsd: Readonly<Record<Vendor, number>>;
  /**
   * Purchases allowed per UTC day across both vendors (0 stops all purchases).
   * @default 10
   */
  readonly dailyPurchaseLimit: number;
  /**
   * Amount at or below which a purchase is approved without a human; negative = always ask.
   * @default -1
   */
  readonly autoApproveMaxUsd: number;
  /**
   * Approval policy by amount: tiers by ascending `upToUsd` (the last without it takes every larger
   * amount), each needing `approvals` distinct approvers (0 = approved by policy) from the named
   * `approverLists` in `from` (unset: approverEmails). Escalation approvers count in every tier.
   * E.g. `[{"upToUsd": 50, "approvals": 0}, {"upToUsd": 500, "approvals": 1}, {"approvals": 2, "from": ["finance"]}]`.
   * @default - from autoApproveMaxUsd: approved by policy up to it, then any one approver
   */
  readonly approvalTiers?: readonly ApprovalTierConfig[];
  /**
   * Named lists of approvers the tiers' `from` picks, e.g. `{"finance": ["cfo@x.com", "controller@x.com"]}`.
   * @default - none
   */
  readonly approverLists?: Readonly<Record<string, readonly string[]>>;
  /**
   * How long an approval link, and the workflow's wait for it, lasts.
   * @default 259200 (72 hours)
   */
  readonly approvalTimeoutSeconds: number;
  /**
   * Seconds before the approval links expire at which everyone asked who has not decided gets a
   * reminder with a fresh link; each shorter than approvalTimeoutSeconds; `[]` for none.
   * @default - one reminder a day before expiry, or halfway through a timeout of two days or less ({@link reminderOffsetsOf})
   */
  readonly approvalReminderOffsetsSeconds?: readonly number[];
  /**
   * Who is asked as well, each with their own link, when nobody has decided
   * approvalEscalationDelaySeconds after the request.
   * @default - no escalation
   */
  readonly approvalEscalationEmails?: readonly string[];
  /**
   * Seconds after the approval request at which the escalation approvers are asked; shorter than
   * approvalTimeoutSeconds.
   * @default - half the approval timeout ({@link escalationDelayOf})
   */
  readonly approvalEscalationDelaySeconds?: number;
  /**
   * EventBridge `source` of incoming "License Purchase Requested" events.
   * @default 'procure.requests' (EVENTS.defaultRequestSource)
   */
  readonly requestEventSource: string;
  /**
   * Event bus procure listens on and publishes to.
   * @default 'default'
   */
  readonly eventBusName: string;
  /**
   * Minutes between reconciler runs (EventBridge Scheduler on AWS, a timer in the local runtime).
   * @default 10
   */
  readonly reconcileIntervalMinutes: number;
  /**
   * API Gateway access logs, which need the account-and-region-wide API Gateway CloudWatch role
   * (`aws apigateway get-account` shows its `cloudwatchRoleArn`); a stage with access logs fails to
   * deploy where it was never set. See {@link API_ACCESS_LOG_MODES}.
   * @default 'off'
   */
  readonly apiAccessLogs: ApiAccessLogMode;
}

/** A tier as configured: `from` names lists of {@link ProcureConfig.approverLists}; unset = the approvers. */
export interface ApprovalTierConfig {
  readonly upToUsd?: number;
  readonly approvals: number;
  readonly from?: readonly string[];
}
