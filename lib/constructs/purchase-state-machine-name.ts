import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The state machine's fixed physical name, derived from the stack name: `<stack>-Purchase`.
 * It is deleted with the stack (never retained), so a redeploy after `cdk destroy` can take the
 * name again, once Step Functions has finished the deletion: a standard machine stays DELETING
 * while an execution waits (for an approval, a cart slot), so stop running executions first.
 */
export function purchaseStateMachineName(scope: Construct): string {
  return `${Stack.of(scope).stackName}-Purchase`;
}

/**
 * ARN of the state machine named `name` in this stack's account and region, built from the name
 * rather than from a `Ref`. The API functions need it (STATE_MACHINE_ARN, StartExecution,
 * SendTask*), and the state machine depends - through RequestApproval's APPROVAL_BASE_URL - on the
 * API deployment, which depends on those functions: a `Ref` would close that loop into the
 * circular dependency of toolchain.md G8, while a built ARN needs neither `*` nor a cycle.
 */
export function stateMachineArnFor(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
