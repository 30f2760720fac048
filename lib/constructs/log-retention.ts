import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * How long each of procure's log groups keeps its lines, by what the log is for. Every group is
 * also retained when the stack is destroyed. One year is the least the Control Tower rule
 * CT.CLOUDWATCH.PR.2 accepts (test/infra/guard.test.ts), and each purpose below needs it anyway.
 */
export const LOG_RETENTION = {
  /**
   * A function's own log: what each purchase step did and every error it hit. Evidence next to
   * the audit table (which keeps decisions, not stack traces); a year covers a yearly license's
   * whole term, including the renewal question "why was this bought, and did the vendor charge twice?".
   */
  functionLogs: RetentionDays.ONE_YEAR,
  /**
   * The state machine's execution events (no execution data): which steps each purchase went
   * through, retries and catches. Read alongside the function logs, so kept as long.
   */
  executionLogs: RetentionDays.ONE_YEAR,
  /**
   * API access logs (when turned on): who called which route, from where, and how it ended. The
   * security record of purchase requests and approvals; kept as long as the purchases they started.
   */
  accessLogs: RetentionDays.ONE_YEAR,
} as const;
