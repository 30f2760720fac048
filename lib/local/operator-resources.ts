import type { CfnTemplate } from './cfn-template';

/**
 * Resource types that exist for the people operating a deployment (alarms, their topic and its
 * subscriptions, the dashboard). Nothing of them runs locally: the local runtime's own views
 * (`procure status`, the audit trail, the outbox's attention mails, its log) stand in for them.
 */
export const OPERATOR_ONLY_TYPES = [
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
] as const;

/** One line per operator-only type the template has: `<count> <type>`, in {@link OPERATOR_ONLY_TYPES} order. */
export function operatorOnlyResources(template: CfnTemplate): string[] {
  const counts = new Map<string, number>();
  for (const r of Object.values(template.Resources)) {
    if ((OPERATOR_ONLY_TYPES as readonly string[]).includes(r.Type)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  }
  return OPERATOR_ONLY_TYPES.filter((t) => counts.has(t)).map((t) => `${counts.get(t)} ${t}`);
}
