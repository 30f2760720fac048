import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventField, Rule, RuleTargetInput, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal, PolicyStatement, Effect } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EVENTS, type PurchaseStatus } from '../../lambdas/core/workflow';

/** Purchase statuses a person is told about, one notification per purchase. */
export const NOTIFIED_STATUSES = ['NEEDS_ATTENTION', 'FAILED'] as const satisfies readonly PurchaseStatus[];

/** Every alarm looks at 5-minute sums (maximum for queue depth) and fires on the first one. */
const PERIOD = Duration.minutes(5);

export interface OperationsAlarmsProps {
  /** Who is told: each address gets an SNS email subscription (confirmed by a link SNS mails). */
  readonly emails: readonly string[];
  /** The purchase state machine. */
  readonly stateMachine: IStateMachine;
  /** The trigger's dead-letter queue (request events and Intake invocations that failed). */
  readonly deadLetterQueue: IQueue;
  /** The bus procure publishes its workflow events on. */
  readonly eventBus: IEventBus;
  /** The procure API's URL, for the `procure audit --api` hint in purchase notices. */
  readonly apiUrl: string;
  /**
   * Functions whose every error is an incident, by function id: one alarm each. Functions whose
   * thrown errors drive the state machine's Retry / Catch are not here (see the stack).
   */
  readonly errorAlarmFunctions: Readonly<Record<string, IFunction>>;
  /**
   * Every function, by id, for the dashboard's errors and invocations graphs.
   * @default - errorAlarmFunctions
   */
  readonly dashboardFunctions?: Readonly<Record<string, IFunction>>;
}

/**
 * Operations: what tells a person that procure needs one. An SNS topic (TLS-only) with an email
 * subscription per address, and:
 * - alarms on executions of the purchase state machine that timed out or were aborted, on any
 *   message in the trigger's dead-letter queue, and on errors of each function whose errors are
 *   never part of normal work;
 * - an EventBridge rule that sends one message per purchase that ends NEEDS_ATTENTION or FAILED,
 *   from RecordOutcome's "License Purchase Failed" event (the one RecordOutcome and Reconcile both
 *   publish), naming the purchase and the reason;
 * - a dashboard of executions, those purchases, the queue depth and function errors.
 *
 * Every alarm treats missing data as not breaching: no purchases is not a problem.
 *
 * Not `ExecutionsFailed`: every purchase that is rejected, expires or is refused by the spend guard
 * ends in the machine's PurchaseNotCompleted Fail state, so that metric counts decisions, not
 * faults. The faults it would hide are the rule's FAILED / NEEDS_ATTENTION purchases, and an
 * execution that ends without an outcome (RecordOutcome failing), which RecordOutcome's errors
 * alarm reports.
 */
export class OperationsAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly purchaseNotices: Rule;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.topic = this.createTopic(props.emails);
    const metrics = this.addAlarms(props);
    this.purchaseNotices = this.addPurchaseNotices(props);
    this.dashboard = this.addDashboard(props, metrics);
  }

  /** The alarm topic, its email subscriptions, and a policy that lets this account's alarms publish. */
  private createTopic(emails: readonly string[]): Topic {
    const stack = Stack.of(this);
    const topic = new Topic(this, 'Topic', { displayName: 'procure alarms', enforceSSL: true });
    for (const email of emails) topic.addSubscription(new EmailSubscription(email));
    // The topic's own policy replaces SNS's default one, so CloudWatch is named explicitly, for
    // this account's alarms only.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    Validations.of(topic).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'Email subscriptions: SNS retries email delivery itself, and a message it still cannot deliver concerns a purchase whose status (FAILED, NEEDS_ATTENTION) stays in procure list and the audit trail, and whose approvers also got the attention mail. A redrive queue would be one more queue nobody reads.',
    });
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm and notice messages carry purchase ids, statuses and reasons, no secrets, and are delivered as plain email anyway. CloudWatch and EventBridge cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key would cost more than the rest of the stack at rest.',
    });

    return topic;
  }

  /** The alarms: executions timed out or aborted, the dead-letter queue, each incident function's errors. */
  private addAlarms(props: OperationsAlarmsProps): { timedOut: Metric; aborted: Metric; dlqDepth: Metric } {
    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, metric: Metric, description: string): Alarm => {
      const a = metric.createAlarm(this, alarmId, {
        alarmDescription: description,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    const sm = props.stateMachine;
    const timedOut = sm.metricTimedOut({ period: PERIOD, statistic: 'Sum' });
    const aborted = sm.metricAborted({ period: PERIOD, statistic: 'Sum' });
    alarm(
      'ExecutionsTimedOut',
      timedOut,
      'A purchase execution ran past the state machine timeout (two approval rounds plus an hour): its purchase may be open. Look it up with npx procure status.',
    );
    alarm(
      'ExecutionsAborted',
      aborted,
      'A purchase execution was stopped by hand or by the service: its purchase may be open. Look it up with npx procure status.',
    );

    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' });
    alarm(
      'DeadLetterQueueNotEmpty',
      dlqDepth,
      'A purchase request event could not be delivered to Intake, or Intake failed on it after its retries: the request did not start a purchase. Read the message from the RequestDeadLetterQueueUrl output.',
    );

    for (const [fid, fn] of Object.entries(props.errorAlarmFunctions)) {
      alarm(
        `${fid}Errors`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        `The procure ${fid} function failed (an error, a timeout or a crash); its log group is the stack's ${fid}Logs.`,
      );
    }

    return { timedOut, aborted, dlqDepth };
  }

  /** One notice per purchase a person must look at. */
  private addPurchaseNotices(props: OperationsAlarmsProps): Rule {
    const detail = (field: string): string => EventField.fromPath(`$.detail.${field}`);
    const rule = new Rule(this, 'PurchaseNotices', {
      eventBus: props.eventBus,
      description: `procure: ${EVENTS.failed} with status ${NOTIFIED_STATUSES.join(' or ')} -> alarm topic`,
      eventPattern: { source: [EVENTS.workflowSource], detailType: [EVENTS.failed], detail: { status: [...NOTIFIED_STATUSES] } },
      targets: [
        new SnsTopic(this.topic, {
          // Ids, status and reason only: the event's requester address stays out of the mail.
          message: RuleTargetInput.fromText(
            `procure purchase ${detail('purchaseId')} (${detail('vendor')}, request ${detail('requestId')}) ended ${detail('status')}: ${detail('reason')}. ` +
              `Its trail: npx procure audit ${detail('purchaseId')} --api ${props.apiUrl} ; a NEEDS_ATTENTION purchase may have spent money, and the approvers' mail says what to check and how to resolve it.`,
          ),
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    Validations.of(rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'EventBridge retries the notice to the topic for 24 h (retryAttempts 8, maxEventAge 24 h); a notice still undelivered is a purchase whose FAILED or NEEDS_ATTENTION status stays in procure list and the audit trail, and whose approvers also got the attention mail.',
    });
    return rule;
  }

  /** Executions, the purchases a person must look at, the queue depth and function errors. */
  private addDashboard(props: OperationsAlarmsProps, metrics: { timedOut: Metric; aborted: Metric; dlqDepth: Metric }): Dashboard {
    const sm = props.stateMachine;
    const { timedOut, aborted, dlqDepth } = metrics;
    const dashboardFunctions = props.dashboardFunctions ?? props.errorAlarmFunctions;
    const perFunction = (m: (fn: IFunction) => Metric): IMetric[] => Object.entries(dashboardFunctions).map(([fid, fn]) => m(fn).with({ label: fid }));
    const notices = new Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: this.purchaseNotices.ruleName },
      period: PERIOD,
      statistic: 'Sum',
      label: `purchases ended ${NOTIFIED_STATUSES.join(' / ')}`,
    });
    return new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new TextWidget({
            width: 24,
            height: 2,
            markdown:
              '**procure.** Executions: a completed purchase is a succeeded execution; rejected, expired, refused and failed ones end in the PurchaseNotCompleted Fail state. ' +
              'Purchases by status and spend against the monthly caps are not metrics yet: `npx procure list --status <S> --api <ApiUrl>` lists purchases, `npx procure quote` shows the budget left.',
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', width: 24, height: 3, alarms: this.alarms })],
        [
          new GraphWidget({
            title: 'Purchase executions',
            width: 12,
            left: [
              sm.metricStarted({ period: PERIOD, statistic: 'Sum', label: 'started' }),
              sm.metricSucceeded({ period: PERIOD, statistic: 'Sum', label: 'succeeded (COMPLETED)' }),
              sm.metricFailed({ period: PERIOD, statistic: 'Sum', label: 'not completed (any reason)' }),
              timedOut.with({ label: 'timed out' }),
              aborted.with({ label: 'aborted' }),
            ],
          }),
          new GraphWidget({ title: 'Purchases a person must look at', width: 6, left: [notices] }),
          new GraphWidget({ title: 'Request dead-letter queue depth', width: 6, left: [dlqDepth.with({ label: 'messages' })] }),
        ],
        [
          new GraphWidget({ title: 'Function errors', width: 12, left: perFunction((fn) => fn.metricErrors({ period: PERIOD, statistic: 'Sum' })) }),
          new GraphWidget({ title: 'Function invocations', width: 12, left: perFunction((fn) => fn.metricInvocations({ period: PERIOD, statistic: 'Sum' })) }),
        ],
      ],
    });
  }
}
