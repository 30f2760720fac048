import { AwsServiceError } from './aws-error';
import type { JsonOperation } from './aws-endpoint';
import { busNameOf, type LocalRule } from './event-rules';

/**
 * EventBridge's rule operations on the local bus: DescribeRule (what `procure doctor` reads) and
 * EnableRule / DisableRule (what `aws events disable-rule` does; a disabled rule routes nothing,
 * event-bus.ts reads `enabled` for every event). Every other operation goes to `next` (PutEvents).
 */
export function withRuleOperations(rules: readonly LocalRule[], where: { region: string; accountId: string }, next: JsonOperation): JsonOperation {
  return (operation, body) => {
    switch (operation) {
      case 'DescribeRule': {
        const rule = ruleOf(rules, body);
        const arnPath = rule.busName === 'default' ? rule.name : `${rule.busName}/${rule.name}`;
        return {
          Name: rule.name,
          Arn: `arn:aws:events:${where.region}:${where.accountId}:rule/${arnPath}`,
          EventPattern: JSON.stringify(rule.pattern),
          State: rule.enabled ? 'ENABLED' : 'DISABLED',
          EventBusName: rule.busName,
          CreatedBy: where.accountId,
        };
      }
      case 'EnableRule':
      case 'DisableRule':
        ruleOf(rules, body).enabled = operation === 'EnableRule';
        return {};
      default:
        return next(operation, body);
    }
  };
}

function ruleOf(rules: readonly LocalRule[], body: Record<string, unknown>): LocalRule {
  const name = body.Name;
  if (typeof name !== 'string' || name === '')
    throw new AwsServiceError('ValidationException', "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  const bus = busNameOf(typeof body.EventBusName === 'string' ? body.EventBusName : undefined);
  const rule = rules.find((r) => r.name === name && r.busName === bus);
  if (!rule) throw new AwsServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
  return rule;
}
