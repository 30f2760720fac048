import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { API_ACCESS_LOG_MODES } from '../../lib/api-access-log-modes';
import { resolveProcureConfig } from '../../lib/resolve-config';
import { ProcureStack } from '../../lib/procure-stack';

/**
 * cdk-nag's AWS Solutions and Serverless packs over the whole stack. cdk-nag 3 is a CDK validation plugin: the
 * app registers it with Validations.of(app).addPlugins(...) and synth fails on any finding;
 * here validateScope() runs the same rules on the construct tree without synthesizing.
 */
// Apps create their outdir eagerly; keep it temporary (toolchain.md G11).
const outdir = mkdtempSync(join(tmpdir(), 'procure-infra-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const PACKS = [
  ['AwsSolutions', () => new AwsSolutionsChecks(undefined, { verbose: true })],
  ['Serverless', () => new ServerlessChecks(undefined, { verbose: true })],
] as const;
const CASES = PACKS.flatMap(([pack, make]) => API_ACCESS_LOG_MODES.map((apiAccessLogs) => ({ pack, make, apiAccessLogs })));

describe('cdk-nag', () => {
  it.each(CASES)('$pack finds nothing unacknowledged in the procure stack (API access logs: $apiAccessLogs)', ({ make, apiAccessLogs }) => {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new ProcureStack(app, 'Procure', { config: resolveProcureConfig({ apiAccessLogs }) });
    const report = make().validateScope(stack);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('does report findings (the checks above are not vacuous)', () => {
    const stack = new Stack(new App({ outdir }), 'Bad');
    new Queue(stack, 'Plain');
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    const serverless = new ServerlessChecks().validateScope(stack);
    expect(serverless.success).toBe(false);
    expect(serverless.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['Serverless-SQSRedrivePolicy']));
  });

  it('Serverless acknowledgements sit on the constructs they explain: a function outside them is still reported', () => {
    const bare = new Stack(new App({ outdir }), 'Bare');
    new LambdaFunction(bare, 'Fn', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {}') });
    const report = new ServerlessChecks().validateScope(bare);
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['Serverless-LambdaTracing', 'Serverless-LambdaDLQ']));
  });
});
