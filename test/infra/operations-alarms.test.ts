import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { INTERSERVER_STATES } from '../../lambdas/vendors/interserver/core/states';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { NOTIFIED_STATUSES } from '../../lib/constructs/operations-alarms';
import { matchesPattern, type EventPattern } from '../../lib/local/event-pattern';
import { ERRORS_ARE_INCIDENTS } from '../../lib/function-needs';
import { FUNCTIONS } from '../../lambdas/core/functions';
import { EVENTS, STATE, type FunctionId } from '../../lambdas/core/workflow';
import { referencedIds, synthProcure, type Synthesized } from './synth';

type Res = { Type: string; Properties: Record<string, unknown> };

describe('operations: alarms reach a person', () => {
  let s: Synthesized;
  const resources = (type: string): Array<[string, Res]> => Object.entries(s.template.findResources(type)) as Array<[string, Res]>;
  const topicId = (): string => resources('AWS::SNS::Topic')[0]![0];
  const alarmsBy = (metricName: string): Res[] =>
    resources('AWS::CloudWatch::Alarm')
      .map(([, r]) => r)
      .filter((r) => r.Properties.MetricName === metricName);

  beforeAll(() => {
    s = synthProcure({ approverEmails: ['alice@corp.example.org', 'bob@corp.example.org'] });
  });
  afterAll(() => s?.dispose());

  describe('the topic', () => {
    it('is one TLS-only topic, mailing each approver when no opsEmails are set', () => {
      expect(resources('AWS::SNS::Topic')).toHaveLength(1);
      const subs = resources('AWS::SNS::Subscription').map(([, r]) => r.Properties);
      expect(subs.map((p) => p.Endpoint).sort()).toEqual(['alice@corp.example.org', 'bob@corp.example.org']);
      for (const p of subs) {
        expect(p.Protocol).toBe('email');
        expect(referencedIds(p.TopicArn)).toEqual([topicId()]);
      }
    });

    it('mails opsEmails instead of the approvers when they are set', () => {
      const ops = synthProcure({ opsEmails: ['oncall@corp.example.org'] });
      try {
        const subs = Object.values(ops.template.findResources('AWS::SNS::Subscription')) as Res[];
        expect(subs.map((r) => r.Properties.Endpoint)).toEqual(['oncall@corp.example.org']);
      } finally {
        ops.dispose();
      }
    });

    it('lets only CloudWatch (this account) and EventBridge publish, on this topic only, and refuses plain HTTP', () => {
      const [[, policy]] = resources('AWS::SNS::TopicPolicy') as [[string, Res]];
      expect(referencedIds(policy.Properties.Topics)).toEqual([topicId()]);
      const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          expect.objectContaining({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
          expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      );
      for (const st of statements) {
        expect(referencedIds(st.Resource)).toEqual([topicId()]);
        expect(st.Resource).not.toBe('*');
        if (st.Effect === 'Allow') expect(st.Principal).not.toEqual({ AWS: '*' });
      }
      expect(statements.filter((st) => st.Effect === 'Allow')).toHaveLength(2);
    });

    it('exports the topic ARN and the dashboard name', () => {
      const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(referencedIds(outputs.AlarmTopicArn!.Value)).toEqual([topicId()]);
      expect(outputs.DashboardName).toBeDefined();
    });
  });

  describe('alarms', () => {
    /** What every alarm shares: first 5-minute period at or above 1, no data = fine, action = the topic. */
    const firesOnFirst = () => ({
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId() }],
    });
    const stateMachineId = (): string => resources('AWS::StepFunctions::StateMachine')[0]![0];

    it.each(['ExecutionsTimedOut', 'ExecutionsAborted'])('%s: any in 5 minutes, on the purchase state machine', (metricName) => {
      const [alarm, ...more] = alarmsBy(metricName);
      expect(more).toHaveLength(0);
      expect(alarm!.Properties).toMatchObject({ Namespace: 'AWS/States', Statistic: 'Sum', ...firesOnFirst() });
      expect(alarm!.Properties.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: stateMachineId() } }]);
    });

    it('not ExecutionsFailed: a rejection, an expiry or a budget refusal fails the execution by design', () => {
      expect(alarmsBy('ExecutionsFailed')).toEqual([]);
    });

    it("dead-letter queue: any message visible, on the trigger's queue", () => {
      const [alarm, ...more] = alarmsBy('ApproximateNumberOfMessagesVisible');
      expect(more).toHaveLength(0);
      expect(alarm!.Properties).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', ...firesOnFirst() });
      const [[queueId]] = resources('AWS::SQS::Queue') as [[string, Res]];
      expect(queueId).toMatch(/^PurchaseTriggerDeadLetterQueue/);
      expect(alarm!.Properties.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]);
    });

    it('Lambda errors: one alarm per function whose errors are incidents, naming the function', () => {
      const alarms = alarmsBy('Errors');
      const byFunction = new Map(alarms.map((a) => [referencedIds(a.Properties.Dimensions)[0], a]));
      expect([...byFunction.keys()].sort()).toEqual(ERRORS_ARE_INCIDENTS.map((fid) => s.fnId(fid)).sort());
      for (const fid of ERRORS_ARE_INCIDENTS) {
        const alarm = byFunction.get(s.fnId(fid))!;
        expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', ...firesOnFirst() });
        expect(alarm.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: s.fnId(fid) } }]);
        expect(alarm.Properties.AlarmDescription).toContain(fid);
      }
    });

    it('leaves out exactly the task functions whose errors the state machine catches (their failures end in a recorded, notified outcome)', () => {
      const quiet = (Object.keys(FUNCTIONS) as FunctionId[]).filter((fid) => !(ERRORS_ARE_INCIDENTS as readonly string[]).includes(fid));
      expect(quiet.sort()).toEqual(['CocalcAddToCart', 'CocalcCheckout', 'InterserverBuy', 'PreparePurchase', 'VerifyLicense']);
      const states = s.asl().States as Record<string, { Catch?: Array<{ ErrorEquals: string[]; Next: string }> }>;
      for (const state of [STATE.PreparePurchase, COCALC_STATES.AddToCart, COCALC_STATES.Checkout, INTERSERVER_STATES.BuyLicense, STATE.VerifyLicense]) {
        expect(states[state]!.Catch, state).toContainEqual(expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: STATE.RecordNotCompleted }));
      }
    });

    it('has no other alarms', () => {
      expect(resources('AWS::CloudWatch::Alarm')).toHaveLength(3 + ERRORS_ARE_INCIDENTS.length);
    });
  });

  describe('purchases a person must look at', () => {
    const rule = (): Res => resources('AWS::Events::Rule').find(([id]) => id.startsWith('OperationsPurchaseNotices'))![1];
    const failedEvent = (status: string) => ({
      source: EVENTS.workflowSource,
      'detail-type': EVENTS.failed,
      detail: { purchaseId: 'p-1', requestId: 'r-1', vendor: 'cocalc', status, reason: 'the CoCalc purchase call started and did not report an outcome' },
    });

    it(`sends RecordOutcome's "${EVENTS.failed}" event with status ${NOTIFIED_STATUSES.join(' or ')} on the workflow bus to the topic`, () => {
      const props = rule().Properties;
      expect(props.EventBusName).toBe('default');
      expect(props.EventPattern).toEqual({
        source: [EVENTS.workflowSource],
        'detail-type': [EVENTS.failed],
        detail: { status: ['NEEDS_ATTENTION', 'FAILED'] },
      });
      const [target, ...more] = props.Targets as Array<Record<string, unknown>>;
      expect(more).toHaveLength(0);
      expect(target!.Arn).toEqual({ Ref: topicId() });
      expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 });
    });

    it.each([
      ['NEEDS_ATTENTION', true],
      ['FAILED', true],
      ['REJECTED', false],
      ['EXPIRED', false],
      ['INVALID', false],
    ])('a purchase ending %s is notified: %s', (status, notified) => {
      expect(matchesPattern(rule().Properties.EventPattern as EventPattern, failedEvent(status))).toBe(notified);
    });

    it("names the purchase, its status and reason, and leaves the requester's address out", () => {
      const transformer = (rule().Properties.Targets as Array<{ InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }>)[0]!
        .InputTransformer;
      expect(Object.values(transformer.InputPathsMap).sort()).toEqual([
        '$.detail.purchaseId',
        '$.detail.reason',
        '$.detail.requestId',
        '$.detail.status',
        '$.detail.vendor',
      ]);
      const text = String(s.resolve(transformer.InputTemplate));
      expect(text).toContain('npx procure audit <detail-purchaseId> --api https://');
      // Every <placeholder> is one EventBridge fills in; anything else would break the target.
      for (const [, name] of text.matchAll(/<([^>]*)>/g)) expect(Object.keys(transformer.InputPathsMap)).toContain(name);
    });
  });

  it('has a dashboard of executions, notices, dead-letter depth and every function’s errors', () => {
    const [[, dashboard], ...more] = resources('AWS::CloudWatch::Dashboard') as [[string, Res]];
    expect(more).toHaveLength(0);
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
      'TriggeredRules',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(body).toContain(metric);
    }
    for (const fid of Object.keys(FUNCTIONS)) expect(body).toContain(`"label":"${fid}"`.replace(/"/g, '\\"'));
  });

  it('grants nothing on `*` to publish or alarm', () => {
    s.template.resourcePropertiesCountIs('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Resource: '*' })]) } }, 0);
  });
});
