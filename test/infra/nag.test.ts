import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { API_ACCESS_LOG_MODES, resolveProcureConfig } from '../../lib/config';
import { ProcureStack } from '../../lib/procure-stack';

/**
 * cdk-nag's AWS Solutions pack over the whole stack. cdk-nag 3 is a CDK validation plugin: the
 * app registers it with Validations.of(app).addPlugins(...) and synth fails on any finding;
 * here validateScope() runs the same rules on the construct tree without synthesizing.
 */
// Apps create their outdir eagerly; keep it temporary (toolchain.md G11).
const outdir = mkdtempSync(join(tmpdir(), 'procure-infra-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk-nag AwsSolutions', () => {
  it.each(API_ACCESS_LOG_MODES)('finds nothing unacknowledged in the procure stack (API access logs: %s)', (apiAccessLogs) => {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new ProcureStack(app, 'Procure', { config: resolveProcureConfig({ apiAccessLogs }) });
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('does report findings (the check above is not vacuous)', () => {
    const stack = new Stack(new App({ outdir }), 'Bad');
    new Queue(stack, 'Plain');
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
