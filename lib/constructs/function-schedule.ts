import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';

export interface FunctionScheduleProps {
  /** How often the function runs. */
  readonly interval: Duration;
  /** The schedule's description (what it runs, and how often). */
  readonly description: string;
  /** The event the function gets (it tells the function what invoked it). */
  readonly input: Record<string, unknown>;
}

/**
 * An EventBridge Scheduler schedule invoking `fn` every `interval`, created in `scope` as
 * `ScheduleRole` and `Schedule`. The schedule has its own role (rather than the target's shared
 * default) so its one grant can be acknowledged here: lambda:InvokeFunction on the function and its
 * versions (`<arn>:*`, added by grantInvoke), assumable by Scheduler for this account only.
 *
 * Scheduler delivers asynchronously; the function's own async retries are turned off, because the
 * next scheduled run is the retry and two runs at once would only repeat each other's work.
 */
export function scheduleFunction(scope: Construct, fn: LambdaFn, props: FunctionScheduleProps): Schedule {
  fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(5) });
  const nextRunRetries = `A failed run has nothing to replay: the next scheduled run (every ${props.interval.toHumanString()}) is its retry, and the function's errors alarm or log reports the failure.`;
  Validations.of(fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason: nextRunRetries });
  Validations.of(fn).acknowledge({ id: 'Serverless-LambdaAsyncFailureDestination', reason: nextRunRetries });
  const stack = Stack.of(scope);
  const role = new Role(scope, 'ScheduleRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    description: `procure schedule: invokes ${fn.node.id}`,
  });
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
    reason: `grantInvoke gives lambda:InvokeFunction on the ${fn.node.id} function and its versions/aliases (\`<arn>:*\`); this names one function.`,
  });
  return new Schedule(scope, 'Schedule', {
    description: props.description,
    schedule: ScheduleExpression.rate(props.interval),
    target: new LambdaInvoke(fn, {
      role,
      input: ScheduleTargetInput.fromObject(props.input),
      // A missed delivery is worth retrying only until the next run is due.
      retryAttempts: 2,
      maxEventAge: Duration.minutes(Math.max(1, Math.min(props.interval.toMinutes(), 24 * 60))),
    }),
  });
}
