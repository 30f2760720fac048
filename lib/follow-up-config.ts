import type { ProcureConfig } from './config';

/**
 * The approval follow-ups' configuration (reminders, escalation; lambdas/core/approval-follow-up.ts):
 * the values in effect when a key is unset, and the rules that tie them to the approval timeout,
 * checked at synth here and again at cold start (lambdas/shared/config.ts approvalFollowUpConfig).
 */

/** The reminder offsets in effect: the configured ones, else one day before expiry (halfway for short timeouts). */
export function reminderOffsetsOf(config: ProcureConfig): readonly number[] {
  return config.approvalReminderOffsetsSeconds ?? [Math.min(86_400, Math.floor(config.approvalTimeoutSeconds / 2))];
}

/** The escalation delay in effect: the configured one, else half the approval timeout. */
export function escalationDelayOf(config: ProcureConfig): number {
  return config.approvalEscalationDelaySeconds ?? Math.floor(config.approvalTimeoutSeconds / 2);
}

/** Cross-field rules of the follow-ups: every reminder and the escalation fall inside the approval wait. */
export function followUpIssues(config: ProcureConfig): string[] {
  const timeout = config.approvalTimeoutSeconds;
  const issues: string[] = [];
  for (const offset of config.approvalReminderOffsetsSeconds ?? []) {
    if (offset >= timeout) issues.push(`approvalReminderOffsetsSeconds: ${offset} must be shorter than approvalTimeoutSeconds (${timeout})`);
  }
  const delay = config.approvalEscalationDelaySeconds;
  if (delay !== undefined && delay >= timeout) issues.push(`approvalEscalationDelaySeconds: ${delay} must be shorter than approvalTimeoutSeconds (${timeout})`);
  if (delay !== undefined && !config.approvalEscalationEmails?.length) {
    issues.push('approvalEscalationDelaySeconds: set without approvalEscalationEmails, so nobody would be asked');
  }
  return issues;
}
