import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ApiAccessLogMode } from '../../lib/api-access-log-modes';
import { PurchaseApi } from '../../lib/constructs/purchase-api';
import { REQUIRED_OUTPUTS } from '../../lib/cli/stack-resources';
import { STACK_OUTPUTS, type StackOutputName } from '../../lib/stack-outputs';
import type { CfnTemplate } from '../../lib/local/cfn-template';
import { FUNCTIONS } from '../../lambdas/core/functions';
import { EVENTS, type FunctionId } from '../../lambdas/core/workflow';
import { bareStack, referencedIds, synthProcure, templateOf, type Synthesized } from './synth';

/**
 * The stack's composition: API routes and their auth, the API stage's logging, the EventBridge
 * trigger with its dead-letter queue, the functions' runtime settings and the outputs.
 */

let s: Synthesized;
beforeAll(() => {
  // The one synth with CDK's own CloudFormation validation on, as `cdk synth` runs it.
  s = synthProcure({}, { cfnValidation: true });
});
afterAll(() => s.dispose());

type Res = { Type: string; Properties: Record<string, unknown> };
const resources = (type: string): Array<[string, Res]> => Object.entries(s.template.findResources(type)) as Array<[string, Res]>;

/** "/purchases/{id}" for an AWS::ApiGateway::Resource logical id (or "/" for the root). */
function pathOf(resourceId: unknown): string {
  const ref = (resourceId as { Ref?: string }).Ref;
  if (!ref) return '';
  const r = s.json.Resources[ref]!;
  return `${pathOf(r.Properties?.ParentId)}/${String(r.Properties?.PathPart)}`;
}

describe('API routes', () => {
  const routes = (): Record<string, { auth: string; fn: string | undefined; params: unknown }> =>
    Object.fromEntries(
      resources('AWS::ApiGateway::Method').map(([, m]) => {
        const integration = m.Properties.Integration as { Type: string; Uri: unknown };
        expect(integration.Type).toBe('AWS_PROXY');
        const fnIds = referencedIds(integration.Uri).filter((id) => s.json.Resources[id]?.Type === 'AWS::Lambda::Function');
        const fn = (Object.keys(FUNCTIONS) as FunctionId[]).find((f) => fnIds.includes(s.fnId(f)));
        return [
          `${String(m.Properties.HttpMethod)} ${pathOf(m.Properties.ResourceId)}`,
          { auth: String(m.Properties.AuthorizationType), fn, params: m.Properties.RequestParameters },
        ];
      }),
    );

  it('serves exactly the nine routes, each by its function, with IAM auth except the approval link', () => {
    const r = routes();
    expect(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, `${v.auth} ${v.fn}`]))).toEqual({
      'POST /purchases': 'AWS_IAM PurchasesApi',
      'GET /purchases': 'AWS_IAM PurchasesApi',
      'POST /quotes': 'AWS_IAM QuotesApi',
      'GET /purchases/{id}': 'AWS_IAM PurchasesApi',
      'POST /purchases/{id}/resolution': 'AWS_IAM PurchasesApi',
      'POST /purchases/{id}/approvals/resend': 'AWS_IAM ApprovalReminders',
      'GET /licenses': 'AWS_IAM ListLicenses',
      'GET /approvals/{id}': 'NONE ApprovalsApi',
      'POST /approvals/{id}': 'NONE ApprovalsApi',
    });
  });

  it('validates required parameters (the link signature on GET /approvals/{id})', () => {
    const r = routes();
    expect(r['GET /approvals/{id}']!.params).toEqual({ 'method.request.path.id': true, 'method.request.querystring.sig': true });
    expect(r['GET /purchases/{id}']!.params).toEqual({ 'method.request.path.id': true });
    expect(r['POST /purchases/{id}/resolution']!.params).toEqual({ 'method.request.path.id': true });
    expect(r['POST /purchases/{id}/approvals/resend']!.params).toEqual({ 'method.request.path.id': true });
    // The listing's parameters are declared, all optional (the function validates their values).
    expect(r['GET /purchases']!.params).toEqual({
      'method.request.querystring.status': false,
      'method.request.querystring.since': false,
      'method.request.querystring.limit': false,
      'method.request.querystring.nextToken': false,
    });
    const validators = resources('AWS::ApiGateway::RequestValidator');
    expect(validators).toHaveLength(1);
    expect(validators[0]![1].Properties).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
    for (const [, m] of resources('AWS::ApiGateway::Method')) expect(m.Properties.RequestValidatorId).toEqual({ Ref: validators[0]![0] });
  });

  it('lets API Gateway invoke only the four API functions, on their own routes (no test-invoke grants)', () => {
    const perms = resources('AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com');
    const targets = perms.map(([, p]) => referencedIds(p.Properties.FunctionName)[0]);
    expect(new Set(targets)).toEqual(
      new Set([s.fnId('PurchasesApi'), s.fnId('ListLicenses'), s.fnId('ApprovalsApi'), s.fnId('QuotesApi'), s.fnId('ApprovalReminders')]),
    );
    for (const [, p] of perms) expect(JSON.stringify(p.Properties.SourceArn)).not.toContain('test-invoke-stage');
  });
});

describe('API stage', () => {
  /** The PurchaseApi construct alone, with the given access log mode. */
  function apiStack(accessLogs?: ApiAccessLogMode): { template: Template; json: CfnTemplate } {
    const { stack, dispose } = bareStack('Api');
    try {
      const fn = (name: string) => LambdaFunction.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`);
      new PurchaseApi(stack, 'PurchaseApi', {
        purchasesFunction: fn('Purchases'),
        licensesFunction: fn('Licenses'),
        quotesFunction: fn('Quotes'),
        resendFunction: fn('Resend'),
        ...(accessLogs ? { accessLogs } : {}),
      });
      const template = templateOf(stack);
      return { template, json: template.toJSON() as CfnTemplate };
    } finally {
      dispose();
    }
  }
  const stageOf = (json: CfnTemplate): Record<string, unknown> => Object.values(json.Resources).find((r) => r.Type === 'AWS::ApiGateway::Stage')!.Properties!;

  it('traces end to end with X-Ray: the API stage, the state machine and every function', () => {
    const [, stage] = resources('AWS::ApiGateway::Stage')[0]!;
    expect(stage.Properties.TracingEnabled).toBe(true);
    const [, machine] = resources('AWS::StepFunctions::StateMachine')[0]!;
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    const fns = resources('AWS::Lambda::Function');
    expect(fns).toHaveLength(Object.keys(FUNCTIONS).length);
    for (const [id, fn] of fns) expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
  });

  it('writes no execution logs or data trace', () => {
    const [, stage] = resources('AWS::ApiGateway::Stage')[0]!;
    expect(stage.Properties.MethodSettings).toEqual([
      expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', DataTraceEnabled: false, LoggingLevel: 'OFF' }),
    ]);
  });

  it('deploys on a fresh account by default: no access logs, and the account-wide CloudWatch role left alone (G9)', () => {
    expect(s.stack.config.apiAccessLogs).toBe('off');
    const [, stage] = resources('AWS::ApiGateway::Stage')[0]!;
    expect(stage.Properties).not.toHaveProperty('AccessLogSetting');
    s.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(s.stack.purchaseApi.accessLogs).toBeUndefined();
  });

  it('with account-has-role, writes access logs without query strings or raw paths, and still leaves the account role alone', () => {
    const { template, json } = apiStack('account-has-role');
    const format = (stageOf(json).AccessLogSetting as { Format: string }).Format;
    expect(format).toContain('$context.resourcePath');
    expect(format).not.toMatch(/querystring|\$context\.path|requestOverride|\$input/i);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
  });

  it('with create-account-role, sets a role of its own as the account’s before the stage deploys, both kept on destroy', () => {
    const { template, json } = apiStack('create-account-role');
    expect(stageOf(json)).toHaveProperty('AccessLogSetting');
    const [accountId, account] = Object.entries(template.findResources('AWS::ApiGateway::Account'))[0]! as [
      string,
      { DeletionPolicy?: string; Properties: { CloudWatchRoleArn: unknown } },
    ];
    const roleId = referencedIds(account.Properties.CloudWatchRoleArn)[0]!;
    const role = json.Resources[roleId] as unknown as { DeletionPolicy?: string; Properties: Record<string, unknown> };
    expect(role.Properties).not.toHaveProperty('RoleName');
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AmazonAPIGatewayPushToCloudWatchLogs');
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('apigateway.amazonaws.com');
    expect([account.DeletionPolicy, role.DeletionPolicy]).toEqual(['Retain', 'Retain']);
    const stage = Object.values(json.Resources).find((r) => r.Type === 'AWS::ApiGateway::Stage') as { DependsOn?: string[] };
    expect(stage.DependsOn).toContain(accountId);
  });

  it('defaults to no access logs when the construct is given no mode', () => {
    const { json } = apiStack();
    expect(stageOf(json)).not.toHaveProperty('AccessLogSetting');
  });
});

describe('EventBridge trigger', () => {
  // The trigger's rule; the other one is the alarm topic's (operations-alarms.test.ts).
  const requestRules = (): Array<[string, Res]> => resources('AWS::Events::Rule').filter(([id]) => id.startsWith('PurchaseTrigger'));

  it('routes "License Purchase Requested" from the request source on the default bus to Intake', () => {
    const rules = requestRules();
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1].Properties;
    expect(rule.EventPattern).toEqual({ source: [EVENTS.defaultRequestSource], 'detail-type': [EVENTS.requested] });
    expect(rule.EventBusName).toBe('default');
    const targets = rule.Targets as Array<Record<string, unknown>>;
    expect(targets).toHaveLength(1);
    expect(referencedIds(targets[0]!.Arn)).toEqual([s.fnId('Intake')]);
  });

  it('retries delivery and parks what fails in an encrypted, TLS-only DLQ; Intake’s async failures go there too', () => {
    const target = (requestRules()[0]![1].Properties.Targets as Array<Record<string, unknown>>)[0]!;
    const [queueId, queue] = resources('AWS::SQS::Queue')[0]!;
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 });
    expect(referencedIds(target.DeadLetterConfig)).toEqual([queueId]);
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const policy = resources('AWS::SQS::QueuePolicy')[0]![1].Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    expect(policy.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    );
    const [, invokeConfig] = resources('AWS::Lambda::EventInvokeConfig')[0]!;
    expect(referencedIds(invokeConfig.Properties.FunctionName)).toEqual([s.fnId('Intake')]);
    expect(referencedIds(invokeConfig.Properties.DestinationConfig)).toEqual([queueId]);
  });
});

describe('functions', () => {
  it.each(Object.keys(FUNCTIONS) as FunctionId[])('%s runs Node.js 24 on ARM64 with a bundled index.handler and a retained, expiring log group', (id) => {
    const fn = s.json.Resources[s.fnId(id)]!;
    expect(s.fnId(id).startsWith(id)).toBe(true);
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    const logGroupId = referencedIds((fn.Properties!.LoggingConfig as { LogGroup: unknown }).LogGroup)[0]!;
    const logGroup = s.json.Resources[logGroupId] as unknown as { Properties: { RetentionInDays?: number }; DeletionPolicy?: string };
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    expect(logGroup.DeletionPolicy).toBe('Retain');
  });

  it('gives the vendor-calling functions 60 s and keeps the API functions under API Gateway’s 29 s', () => {
    const timeout = (id: FunctionId): number => s.json.Resources[s.fnId(id)]!.Properties!.Timeout as number;
    for (const id of ['PreparePurchase', 'CocalcAddToCart', 'CocalcCheckout', 'InterserverBuy', 'VerifyLicense', 'RecordOutcome'] as const)
      expect(timeout(id), id).toBe(60);
    for (const id of ['PurchasesApi', 'ApprovalsApi', 'ListLicenses'] as const) expect(timeout(id), id).toBeLessThan(29);
  });
});

describe('CloudFormation validation', () => {
  it('reports nothing: no circular dependency (toolchain.md G8), no invalid property', () => {
    const reportPath = join(s.outdir, 'validation-report.json');
    type PluginReport = { pluginName: string; violations: Array<{ ruleName: string; severity: string }> };
    const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as { pluginReports: PluginReport[] }) : { pluginReports: [] };
    // The flag @aws-cdk/core:annotationsInValidationReport (cdk.json) puts annotations in the same
    // report: here only the default configuration's two example.com warnings (test/infra/config.test.ts).
    const annotations = report.pluginReports.filter((r) => r.pluginName === 'Construct Annotations');
    expect(annotations.flatMap((r) => r.violations.map((v) => `${v.severity} ${v.ruleName}`)).sort()).toEqual([
      'warning Annotation::procure:config:approverEmails',
      'warning Annotation::procure:config:senderEmail',
    ]);
    expect(report.pluginReports.filter((r) => r.pluginName !== 'Construct Annotations')).toEqual([]);
  });
});

describe('outputs', () => {
  it('exports the API URL, state machine ARN, table names and secret ARNs', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'ApprovalBaseUrl',
        'StateMachineArn',
        'AuditTableName',
        'StateTableName',
        'CocalcSecretArn',
        'InterserverSecretArn',
        'SigningSecretArn',
      ]),
    );
  });

  it('exports everything `procure doctor` reads from the outputs file, each with its description, the rule by its own name', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining([...REQUIRED_OUTPUTS]));
    for (const [name, o] of Object.entries(outputs)) expect(o.Description).toBe(STACK_OUTPUTS[name as StackOutputName]);
    const [ruleId] = Object.keys(s.template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': [EVENTS.requested] } } }));
    expect(outputs.TriggerRuleName!.Value).toEqual({ Ref: ruleId });
    expect(outputs.SenderEmail!.Value).toBe('procure@example.com');
    expect(outputs.ApproverEmails!.Value).toBe('approver@example.com');
    expect(outputs.EventBusName!.Value).toBe('default');
    expect(outputs.InterserverEndpoint).toBeUndefined(); // not configured: the handlers derive it from the WSDL URL
  });
});
