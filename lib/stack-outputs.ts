import { capitalized, VENDORS, type Vendor } from '../lambdas/core/vendors';
import { secretJsonShape } from '../lambdas/shared/vendor-secret-shapes';
import { SETTING_OUTPUT_DESCRIPTIONS, refuseClashes } from './vendor-settings';

/** The output holding the ARN of a vendor's secret: `CocalcSecretArn`, one for each vendor of the registry. */
export type SecretArnOutput<V extends Vendor = Vendor> = `${Capitalize<V>}SecretArn`;
export function secretArnOutput<V extends Vendor>(vendor: V): SecretArnOutput<V> {
  return `${capitalized(vendor)}SecretArn`;
}
const SECRET_ARN_OUTPUTS = Object.fromEntries(VENDORS.map((v) => [secretArnOutput(v), `Replace the placeholder with ${secretJsonShape(v)}`])) as Record<
  SecretArnOutput,
  string
>;

/**
 * The stack's CloudFormation outputs: names and descriptions, shared by the stack that creates them
 * (lib/procure-stack.ts) and the CLI that reads them back from `cdk deploy --outputs-file`
 * (`procure doctor`). Plain data, so the CLI never loads aws-cdk-lib.
 */
const PROCURE_OUTPUTS = {
  ApiUrl: 'procure API (IAM: /purchases, /licenses, /quotes; signed links: /approvals)',
  ApprovalBaseUrl: 'Base URL of approval links',
  StateMachineArn: 'Purchase workflow',
  AuditTableName: 'Append-only audit trail',
  StateTableName: 'Approvals, budget, locks, purchase status',
  ...SECRET_ARN_OUTPUTS,
  SigningSecretArn: 'Approval-link signing key (generated)',
  RequestDeadLetterQueueUrl: 'Request events that could not be processed',
  AlarmTopicArn: 'Alarms and purchase notices; subscribe with aws sns subscribe --protocol email',
  DashboardName: 'CloudWatch dashboard of executions, notices, the dead-letter queue and function errors',
  TriggerRuleName: 'EventBridge rule that starts a purchase for each request event',
  EventBusName: 'Bus the trigger rule listens on',
  SenderEmail: 'SES sender of approval mails (must be a verified identity)',
  ApproverEmails: 'Who receives approval mails (comma-separated; SES must reach them)',
} as const;

// A vendor setting's output named like one of procure's own would replace it.
refuseClashes(Object.keys(PROCURE_OUTPUTS), 'output');

/** procure's own outputs, then each vendor's settings that declare one (its folder's settings.ts). */
export const STACK_OUTPUTS = { ...PROCURE_OUTPUTS, ...SETTING_OUTPUT_DESCRIPTIONS } as const;

export type StackOutputName = keyof typeof STACK_OUTPUTS;
