import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveProcureConfig } from '../../lib/resolve-config';
import type { ApiAccessLogMode } from '../../lib/api-access-log-modes';
import type { CfnTemplate } from '../../lib/local/cfn-template';
import { ProcureStack } from '../../lib/procure-stack';
import { referencedIds } from './synth';

/**
 * AWS Control Tower's proactive controls (cfn-guard rules, run by @cdklabs/cdk-validator-cfnguard's
 * bundled cfn-guard binary: no download) over the synthesized template, through CDK's policy
 * validation: synth fails on any finding that is not acknowledged, with its reason, in lib/.
 */
const PLUGIN = 'cdk-validator-cfnguard';

interface GuardViolation {
  ruleName: string;
  reason?: string;
  violatingConstructs: Array<{ constructPath: string; cloudFormationResource?: { logicalId: string } }>;
}
interface GuardReport {
  conclusion: string;
  violations: GuardViolation[];
  suppressedViolations?: GuardViolation[];
}

const outdirs: string[] = [];
afterAll(() =>
  outdirs.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

/** Synthesizes an app with the guard plugin; returns whether synth failed, the plugin's report and the first stack's template. */
function synthWithGuard(build: (app: App) => Stack): { failed: boolean; report: GuardReport | undefined; template: CfnTemplate } {
  const outdir = mkdtempSync(join(tmpdir(), 'procure-guard-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new CfnGuardValidator());
  const stack = build(app);
  const before = process.env.CDK_VALIDATION;
  // Only the guard plugin: aws-cdk-lib's own CloudFormation checks are test/infra/procure-stack.test.ts's.
  process.env.CDK_VALIDATION = 'false';
  let failed = false;
  try {
    app.synth();
  } catch {
    failed = true;
  } finally {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  }
  const json = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<GuardReport & { pluginName: string }> };
  const template = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.template.json`), 'utf8')) as CfnTemplate;
  return { failed, report: json.pluginReports.find((r) => r.pluginName === PLUGIN), template };
}

const synthProcureWithGuard = (apiAccessLogs: ApiAccessLogMode) =>
  synthWithGuard((app) => new ProcureStack(app, 'Procure', { config: resolveProcureConfig({ apiAccessLogs }) }));

const idsOfType = (template: CfnTemplate, type: string): string[] =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id)
    .sort();
const logicalIdsOf = (v: GuardViolation): string[] => v.violatingConstructs.map((c) => c.cloudFormationResource!.logicalId).sort();

/**
 * The modes that differ in resources: `account-has-role` has `create-account-role`'s resources minus
 * the account's CloudWatch role (each template costs cfn-guard ~10-20 s on this 2-core machine).
 */
const MODES = ['off', 'create-account-role'] as const satisfies readonly ApiAccessLogMode[];

describe('cfn-guard Control Tower rules', () => {
  const byMode = new Map<ApiAccessLogMode, ReturnType<typeof synthWithGuard>>();
  beforeAll(() =>
    MODES.forEach((mode) => {
      byMode.set(mode, synthProcureWithGuard(mode));
    }),
  );

  it.each(MODES)('find nothing unacknowledged in the procure stack (API access logs: %s)', (mode) => {
    const { failed, report } = byMode.get(mode)!;
    expect(failed).toBe(false);
    // The plugin reports only when something was found; here every finding is an acknowledged one.
    expect(report?.violations ?? []).toEqual([]);
    expect(report?.conclusion).toBe('success');
  });

  it.each(MODES)('leave exactly the five deliberate findings, each with its reason (API access logs: %s)', (mode) => {
    const suppressed = byMode.get(mode)!.report?.suppressedViolations ?? [];
    expect([...new Set(suppressed.map((v) => v.ruleName))].sort()).toEqual([
      'api_gw_v1_execution_logging_enabled_check',
      'cloudwatch_log_group_encrypted_check',
      'lambda_function_public_access_prohibited_check',
      'lambda_inside_vpc_check',
      'sqs_dlq_check',
    ]);
    for (const v of suppressed) expect(v.reason, v.ruleName).toMatch(/\w{4,}.*\w{4,}/);
  });

  it.each(MODES)('keep every log group at least a year, with none acknowledged (API access logs: %s)', (mode) => {
    const { template, report } = byMode.get(mode)!;
    const logGroups = idsOfType(template, 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThan(0);
    for (const id of logGroups) expect(template.Resources[id]!.Properties?.RetentionInDays, id).toBeGreaterThanOrEqual(365);
    expect((report?.suppressedViolations ?? []).map((v) => v.ruleName)).not.toContain('cloudwatch_log_group_retention_period_check');
  });

  it('acknowledge the VPC and encryption rules for exactly the functions and log groups of the stack', () => {
    const { template, report } = byMode.get('create-account-role')!;
    const suppressed = report?.suppressedViolations ?? [];
    const resourcesOf = (rule: string): string[] =>
      suppressed
        .filter((v) => v.ruleName === rule)
        .flatMap(logicalIdsOf)
        .sort();
    expect(resourcesOf('lambda_inside_vpc_check')).toEqual(idsOfType(template, 'AWS::Lambda::Function'));
    expect(resourcesOf('cloudwatch_log_group_encrypted_check')).toEqual(idsOfType(template, 'AWS::Logs::LogGroup'));
  });

  it('acknowledge public access only for API Gateway permissions scoped to one method of procure’s own API', () => {
    const { template, report } = byMode.get('off')!;
    const api = [...idsOfType(template, 'AWS::ApiGateway::RestApi'), ...idsOfType(template, 'AWS::ApiGateway::Stage')].sort();
    expect(api).toHaveLength(2);
    const flagged = (report?.suppressedViolations ?? []).filter((v) => v.ruleName === 'lambda_function_public_access_prohibited_check').flatMap(logicalIdsOf);
    expect(flagged.length).toBeGreaterThan(0);
    for (const id of flagged) {
      const props = template.Resources[id]!.Properties!;
      expect(props.Principal, id).toBe('apigateway.amazonaws.com');
      // arn:...:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>: one method of this API's stage.
      expect(referencedIds(props.SourceArn).sort(), id).toEqual(api);
      const parts = (props.SourceArn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(parts.at(-1), id).toMatch(/^\/(GET|POST)\/[a-z]/);
    }
  });

  it('do report findings (the checks above are not vacuous)', () => {
    const { failed, report } = synthWithGuard((app) => {
      const stack = new Stack(app, 'Bad');
      new LogGroup(stack, 'Short', { retention: RetentionDays.ONE_MONTH });
      new Queue(stack, 'NoDlq');
      return stack;
    });
    expect(failed).toBe(true);
    expect(report?.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['cloudwatch_log_group_retention_period_check', 'cloudwatch_log_group_encrypted_check', 'sqs_dlq_check']),
    );
  });
});
