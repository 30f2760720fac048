import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcureConfigError, resolveProcureConfig } from '../../lib/resolve-config';
import { iamStatements, roleOf, statementsOf, synthProcure, type Synthesized } from './synth';

/**
 * The reconciler on AWS (lib/constructs/reconciler.ts): an EventBridge Scheduler schedule that
 * invokes the Reconcile function at the configured rate, a schedule role that may invoke only that
 * function, and a function that has RecordOutcome's grants (it closes purchases through
 * RecordOutcome's code) plus DescribeExecution, and nothing that starts or steers an execution.
 */
let s: Synthesized;
beforeAll(() => {
  s = synthProcure();
});
afterAll(() => s.dispose());

/** The schedules that invoke Reconcile (the approval follow-ups have their own: approval-follow-ups.test.ts). */
const schedules = (x: Synthesized) =>
  Object.entries(x.template.findResources('AWS::Scheduler::Schedule')).filter(
    ([, r]) => JSON.stringify(r.Properties?.Target?.Arn) === JSON.stringify({ 'Fn::GetAtt': [x.fnId('Reconcile'), 'Arn'] }),
  );
const actionsOf = (id: Parameters<typeof statementsOf>[1]): Set<string> => new Set(statementsOf(s, id).flatMap((st) => st.actions));

describe('the reconciler schedule', () => {
  it('runs Reconcile every 10 minutes by default, always on, through its own role', () => {
    const [[, schedule]] = schedules(s) as [[string, { Properties: Record<string, any> }]]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(schedules(s)).toHaveLength(1);
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'rate(10 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: { 'Fn::GetAtt': [s.fnId('Reconcile'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 } },
    });
    const role = (schedule.Properties.Target.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = iamStatements(s.json).filter((st) => st.roles.includes(role));
    expect(statements.map((st) => st.actions)).toEqual([['lambda:InvokeFunction']]);
    expect(statements[0]!.resources.map((r) => s.resolve(r))).toEqual([
      `arn:aws:lambda:us-east-1:123456789012:function:${s.fnId('Reconcile')}`,
      `arn:aws:lambda:us-east-1:123456789012:function:${s.fnId('Reconcile')}:*`,
    ]);
    const trust = s.json.Resources[role]!.Properties!.AssumeRolePolicyDocument as { Statement: Array<Record<string, unknown>> };
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });

  it('takes its rate from reconcileIntervalMinutes and refuses a rate that is not whole minutes up to a day', () => {
    const other = synthProcure({ reconcileIntervalMinutes: 1 });
    try {
      expect((schedules(other)[0]![1] as { Properties: { ScheduleExpression: string } }).Properties.ScheduleExpression).toBe('rate(1 minute)');
    } finally {
      other.dispose();
    }
    for (const bad of [0, 1.5, 1441]) expect(() => resolveProcureConfig({ reconcileIntervalMinutes: bad })).toThrow(ProcureConfigError);
  });

  it('turns off Lambda async retries: the next scheduled run is the retry', () => {
    const configs = Object.values(s.template.findResources('AWS::Lambda::EventInvokeConfig')).filter(
      (r) => JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ Ref: s.fnId('Reconcile') }),
    );
    expect(configs).toHaveLength(1);
    expect(configs[0]!.Properties).toMatchObject({ MaximumRetryAttempts: 0, Qualifier: '$LATEST' });
  });
});

describe('the Reconcile function', () => {
  it('has every grant RecordOutcome has, whose code it runs to close a purchase', () => {
    const own = actionsOf('Reconcile');
    for (const action of actionsOf('RecordOutcome')) expect(own, action).toContain(action);
    const env = (id: 'Reconcile' | 'RecordOutcome') => Object.keys((s.json.Resources[s.fnId(id)]!.Properties!.Environment as { Variables: object }).Variables);
    expect(env('Reconcile')).toEqual(expect.arrayContaining(env('RecordOutcome')));
  });

  it('may describe executions of the purchase state machine, and not start, stop or answer one', () => {
    const states = statementsOf(s, 'Reconcile').filter((st) => st.actions.some((a) => a.startsWith('states:')));
    expect(states).toHaveLength(1);
    expect(states[0]!.actions).toEqual(['states:DescribeExecution']);
    expect(states[0]!.resources.map((r) => s.resolve(r))).toEqual(['arn:aws:states:us-east-1:123456789012:execution:Procure-Purchase:*']);
    expect(
      s.resolve((s.json.Resources[s.fnId('Reconcile')]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.STATE_MACHINE_ARN),
    ).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Procure-Purchase');
  });

  it("gets no Scan, no batch and no index but the audit trail's byStatus", () => {
    const ddb = statementsOf(s, 'Reconcile').filter((st) => st.actions.some((a) => a.startsWith('dynamodb:')));
    const actions = new Set(ddb.flatMap((st) => st.actions));
    expect([...actions].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    const indexes = ddb.flatMap((st) => st.resources.map((r) => JSON.stringify(s.resolve(r)))).filter((r) => r.includes('/index/'));
    expect(indexes.map((r) => r.replace(/^.*\/index\//, '').replace(/"$/, ''))).toEqual(['byStatus']);
    expect(roleOf(s, 'Reconcile')).not.toBe(roleOf(s, 'RecordOutcome'));
  });
});
