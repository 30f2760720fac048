import { byVendor, profileOf } from '../lambdas/core/vendors';
import { EVENTS } from '../lambdas/core/workflow';
import type { ProcureConfig } from './config';
import { SETTING_DEFAULTS, type VendorSettingsConfig } from './vendor-settings';

/** The defaults, exported so the local runtime and the docs show the same values. */
export const DEFAULT_PROCURE_CONFIG: Readonly<ProcureConfig> = Object.freeze({
  approverEmails: Object.freeze(['approver@example.com']),
  senderEmail: 'procure@example.com',
  // Each vendor's own default (its profile, lambdas/vendors/<vendor>/core/profile.ts).
  monthlyCapUsd: Object.freeze(byVendor((v) => profileOf(v).defaultMonthlyCapUsd)),
  dailyPurchaseLimit: 10,
  autoApproveMaxUsd: -1,
  approvalTimeoutSeconds: 259_200,
  // Each vendor's settings' defaults (its folder's settings.ts).
  ...(SETTING_DEFAULTS as VendorSettingsConfig),
  requestEventSource: EVENTS.defaultRequestSource,
  eventBusName: 'default',
  reconcileIntervalMinutes: 10,
  apiAccessLogs: 'off',
});

/** Who the alarm topic mails: {@link ProcureConfig.opsEmails}, else the approvers. */
export function opsEmailsOf(config: ProcureConfig): readonly string[] {
  return config.opsEmails ?? config.approverEmails;
}
