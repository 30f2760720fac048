import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../lib/local/cfn-template';
import { referencedIds, synthProcure, type Synthesized } from './synth';

/**
 * Redeploying after `cdk destroy`: nothing the stack keeps (tables, log groups, the account's API
 * Gateway role) has a name the next deploy would try to create again, and each name the template
 * does fix is either deleted with the stack or not unique in AWS.
 */

/** The property that sets a resource's physical name, for every resource type that has one. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::ApiGateway::RestApi': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Events::Rule': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
};

/**
 * Types without a name of their own in the account: named inside their parent (a role's policy, an
 * API's stage or validator), or a setting (the account's API Gateway role). A type in neither list
 * fails the first test, so a new kind of resource gets looked at.
 */
const NO_ACCOUNT_WIDE_NAME = new Set([
  'AWS::ApiGateway::Account',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Stage',
  'AWS::CDK::Metadata',
  'AWS::IAM::Policy',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Permission',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
]);

/**
 * The fixed names the template keeps, and why each is safe to create again after a destroy.
 * - The state machine: its ARN is built from the name (toolchain.md G8); it is deleted with the
 *   stack, and the name is free again once no execution of the old one runs (README, teardown).
 * - The REST API's name: API Gateway does not require names to be unique.
 */
const FIXED_NAMES = {
  'AWS::StepFunctions::StateMachine': 'Procure-Purchase',
  'AWS::ApiGateway::RestApi': 'Procure-api',
};

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };

describe.each(['off', 'create-account-role'] as const)('physical names (API access logs: %s)', (apiAccessLogs) => {
  let s: Synthesized;
  let resources: Array<[string, Resource]>;
  beforeAll(() => {
    s = synthProcure({ apiAccessLogs });
    resources = Object.entries((s.json as CfnTemplate & { Resources: Record<string, Resource> }).Resources);
  });
  afterAll(() => s.dispose());

  /** A name set in the template that stays the same for every stack of this name. */
  const fixedName = (r: Resource): string | undefined => {
    const key = NAME_PROPERTY[r.Type];
    const raw = key ? r.Properties?.[key] : undefined;
    if (raw === undefined || JSON.stringify(raw).includes('AWS::StackId')) return undefined;
    return String(s.resolve(raw));
  };

  it('knows every resource type in the template', () => {
    const unknown = [...new Set(resources.map(([, r]) => r.Type))].filter((t) => !(t in NAME_PROPERTY) && !NO_ACCOUNT_WIDE_NAME.has(t));
    expect(unknown).toEqual([]);
  });

  it('fixes only the state machine’s and the REST API’s names', () => {
    const fixed = resources.flatMap(([, r]) => (fixedName(r) ? [[r.Type, fixedName(r)]] : []));
    expect(Object.fromEntries(fixed)).toEqual(FIXED_NAMES);
    expect(fixed).toHaveLength(Object.keys(FIXED_NAMES).length);
  });

  it('deletes the state machine with the stack, so its name is free for the next deploy', () => {
    const [, machine] = resources.find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')!;
    expect(machine.DeletionPolicy).toBe('Delete');
  });

  it('gives everything it retains a name that is generated or new with every stack', () => {
    const retained = resources.filter(([, r]) => r.DeletionPolicy === 'Retain');
    expect(retained.map(([, r]) => r.Type)).toEqual(expect.arrayContaining(['AWS::DynamoDB::Table', 'AWS::Logs::LogGroup']));
    for (const [id, r] of retained) expect(fixedName(r), id).toBeUndefined();
  });

  it('names the state machine’s retained log group after the stack id', () => {
    const named = resources.filter(([, r]) => r.Type === 'AWS::Logs::LogGroup' && r.Properties?.LogGroupName !== undefined);
    expect(named).toHaveLength(1);
    const [id, logGroup] = named[0]!;
    expect(logGroup.DeletionPolicy).toBe('Retain');
    expect(referencedIds(Object.values(s.template.findResources('AWS::StepFunctions::StateMachine'))[0])).toContain(id);
    expect(JSON.stringify(logGroup.Properties!.LogGroupName)).toContain('AWS::StackId');
  });
});
