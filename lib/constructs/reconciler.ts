import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env-names';

export interface ReconcilerProps {
  /** The Reconcile function (created with the other workflow functions; lambdas/handlers/reconcile.ts). */
  readonly function: LambdaFn;
  /** How often it runs. */
  readonly interval: Duration;
  /** Physical name of the purchase state machine, whose executions it describes. */
  readonly stateMachineName: string;
  /** ARN of that state machine, built from the name (see stateMachineArnFor). */
  readonly stateMachineArn: string;
}

/**
 * The reconciler's schedule and its one grant of its own (decision 7): an EventBridge Scheduler
 * schedule invokes Reconcile every `interval`, and Reconcile may DescribeExecution on the purchase
 * state machine's executions (no StartExecution, no SendTask*). Its table, vendor, budget and event
 * grants are RecordOutcome's (it closes purchases through RecordOutcome's code), given by the stack.
 *
 * Scheduler delivers asynchronously; Lambda's own async retries are turned off, because the next
 * scheduled run is the retry and two runs at once would only repeat each other's work.
 */
export class Reconciler extends Construct {
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const fn = props.function;
    fn.addEnvironment(ENV.STATE_MACHINE_ARN, props.stateMachineArn);
    // DescribeExecution's resource is the execution (`execution:<machine>:<name>`); the names are
    // purchase ids, known only at run time, so `<machine>:*` is the narrowest ARN there is.
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    Grant.addToPrincipal({ grantee: fn, actions: ['states:DescribeExecution'], resourceArns: [executions] });
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${props.stateMachineName}:*]`,
        reason: 'states:DescribeExecution on the executions of the one purchase state machine; execution names are purchase ids, known only at run time.',
      });
    }
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(5) });
    const nextRunRetries = `A failed run has nothing to replay: the next scheduled run (every ${props.interval.toHumanString()}) is its retry, and the ReconcileErrors alarm reports the failure.`;
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason: nextRunRetries });
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaAsyncFailureDestination', reason: nextRunRetries });

    // The schedule's own role (rather than the target's shared default) so its one grant can be
    // acknowledged here: lambda:InvokeFunction on Reconcile and its versions (`<arn>:*`, added by
    // grantInvoke), assumable by Scheduler for this account only.
    const stack = Stack.of(this);
    const role = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'procure reconciler schedule: invokes Reconcile',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason: 'grantInvoke gives lambda:InvokeFunction on the Reconcile function and its versions/aliases (`<arn>:*`); this names one function.',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: `procure: run the reconciler every ${props.interval.toHumanString()}`,
      schedule: ScheduleExpression.rate(props.interval),
      target: new LambdaInvoke(fn, {
        role,
        input: ScheduleTargetInput.fromObject({ source: 'procure.reconciler' }),
        // A missed delivery is worth retrying only until the next run is due.
        retryAttempts: 2,
        maxEventAge: Duration.minutes(Math.max(1, Math.min(props.interval.toMinutes(), 24 * 60))),
      }),
    });
  }
}
