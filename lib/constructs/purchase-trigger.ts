import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENTS } from '../../lambdas/core/workflow';

export interface PurchaseTriggerProps {
  /** The bus the requests arrive on. */
  readonly eventBus: IEventBus;
  /** `source` of request events. */
  readonly requestEventSource: string;
  /** The Intake function. */
  readonly intake: LambdaFn;
}

/**
 * EventBridge trigger: "License Purchase Requested" events from the configured source start a
 * purchase through the Intake function.
 *
 * The target is a Lambda, not the state machine: EventBridge's Step Functions target cannot set
 * the execution name, and procure names each execution after the request (purchaseIdFor(requestId))
 * so a repeated event cannot start a second purchase. Intake validates, records and starts it.
 *
 * Events that cannot be delivered (EventBridge side) and events Intake keeps failing on (Lambda
 * async side) both land in one encrypted, TLS-only dead-letter queue, kept 14 days for replay.
 */
export class PurchaseTrigger extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: PurchaseTriggerProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.rule = new Rule(this, 'Requested', {
      eventBus: props.eventBus,
      description: `procure: ${EVENTS.requested} -> Intake`,
      eventPattern: { source: [props.requestEventSource], detailType: [EVENTS.requested] },
      targets: [
        new LambdaFunction(props.intake, {
          deadLetterQueue: this.deadLetterQueue,
          // Delivery attempts to Intake before the event goes to the DLQ.
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    // Intake throws only on AWS errors (a poison event is answered, not thrown); two async
    // retries cover those, then the event is parked next to the undeliverable ones.
    props.intake.configureAsyncInvoke({
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(2),
    });

    const ownDlq = 'This queue is itself the dead-letter queue of the request rule target and of Intake’s async invocations; it has no DLQ of its own.';
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: ownDlq });
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: ownDlq });
    // The rule's way out for a DLQ (a RedriveAllowPolicy letting queues use it) does not fit a queue
    // no SQS queue feeds: its sources are an EventBridge target and a Lambda destination.
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: ownDlq });
    Validations.of(props.intake).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Intake’s failed asynchronous invocations go to the request dead-letter queue through an on-failure destination (configureAsyncInvoke above), which AWS recommends over a DeadLetterConfig and which keeps the error with the event.',
    });
  }
}
