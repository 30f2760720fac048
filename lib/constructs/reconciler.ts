import { ArnFormat, type Duration, Stack, Validations } from 'aws-cdk-lib';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import type { Schedule } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { scheduleFunction } from './function-schedule';
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
 * The schedule itself: lib/constructs/function-schedule.ts.
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
    this.schedule = scheduleFunction(this, fn, {
      interval: props.interval,
      description: `procure: run the reconciler every ${props.interval.toHumanString()}`,
      input: { source: 'procure.reconciler' },
    });
  }
}
