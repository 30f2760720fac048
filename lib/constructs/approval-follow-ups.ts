import { Duration } from 'aws-cdk-lib';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import type { Schedule } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { scheduleFunction } from './function-schedule';

export interface ApprovalFollowUpsProps {
  /** The ApprovalReminders function (lambdas/handlers/approval-reminders.ts). */
  readonly function: LambdaFn;
  /**
   * How often due reminders and escalations are looked for: a follow-up goes out at most this
   * long after its time.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
}

/**
 * The schedule of the approval follow-ups (issue #13, part 1): EventBridge Scheduler invokes
 * ApprovalReminders every `interval`; it mails the reminders and escalations then due. Its table,
 * signing-key and mail grants are given by the stack with the other functions'.
 */
export class ApprovalFollowUps extends Construct {
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: ApprovalFollowUpsProps) {
    super(scope, id);
    const interval = props.interval ?? Duration.minutes(5);
    this.schedule = scheduleFunction(this, props.function, {
      interval,
      description: `procure: send the approval reminders and escalations due, every ${interval.toHumanString()}`,
      input: { source: 'procure.approval-follow-ups' },
    });
  }
}
