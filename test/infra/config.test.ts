import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWarnings } from '../../lib/config-warnings';
import { DEFAULT_PROCURE_CONFIG, opsEmailsOf } from '../../lib/config-defaults';
import { ProcureConfigError, resolveProcureConfig } from '../../lib/resolve-config';
import { readProcureConfig } from '../../lib/read-config';
import { EVENTS, STATE } from '../../lambdas/core/workflow';
import { ENV } from '../../lambdas/shared/env-names';
import { PROJECT_DIR } from '../support/project-dir';
import { synthProcure, type Synthesized } from './synth';
import { INTERSERVER_ENV } from '../../lambdas/vendors/interserver/shared/env-names';

/** The configuration surface: defaults, CDK context, validation, and where each value lands. */

// Apps create their outdir eagerly; keep them all in one temporary folder (toolchain.md G11).
const outdir = mkdtempSync(join(tmpdir(), 'procure-infra-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const contextOf = (context: Record<string, unknown>): App['node'] => new App({ outdir, context }).node;

describe('defaults', () => {
  it('are the documented values', () => {
    expect(resolveProcureConfig()).toEqual({
      approverEmails: ['approver@example.com'],
      senderEmail: 'procure@example.com',
      monthlyCapUsd: { cocalc: 500, interserver: 200 },
      dailyPurchaseLimit: 10,
      autoApproveMaxUsd: -1,
      approvalTimeoutSeconds: 259_200,
      cocalcBaseUrl: 'https://cocalc.com/api/v2',
      cocalcCheckoutMode: 'current',
      interserverWsdlUrl: 'https://my.interserver.net/api.php?wsdl',
      interserverPaymentPolicy: 'leave-unpaid',
      requestEventSource: EVENTS.defaultRequestSource,
      eventBusName: 'default',
      reconcileIntervalMinutes: 10,
      apiAccessLogs: 'off',
    });
    expect(DEFAULT_PROCURE_CONFIG.approvalBaseUrl).toBeUndefined();
    expect(Object.isFrozen(DEFAULT_PROCURE_CONFIG)).toBe(true);
  });
});

describe('reading CDK context', () => {
  it('takes the procure object and lets individual procure:<key> values win, coercing CLI strings', () => {
    const config = readProcureConfig(
      contextOf({
        procure: { dailyPurchaseLimit: 3, monthlyCapUsd: { cocalc: 50 }, senderEmail: 'buyer@acme.test' },
        'procure:dailyPurchaseLimit': '4',
        'procure:approverEmails': 'a@acme.test, b@acme.test',
        'procure:monthlyCapUsd': '{"interserver": 75}',
        'procure:autoApproveMaxUsd': '25.5',
      }),
    );
    expect(config).toMatchObject({
      dailyPurchaseLimit: 4,
      approverEmails: ['a@acme.test', 'b@acme.test'],
      senderEmail: 'buyer@acme.test',
      monthlyCapUsd: { cocalc: 500, interserver: 75 },
      autoApproveMaxUsd: 25.5,
    });
  });

  it('is the defaults when the context says nothing', () => {
    expect(readProcureConfig(contextOf({}))).toEqual(resolveProcureConfig());
  });

  it('treats an empty optional URL as unset', () => {
    expect(readProcureConfig(contextOf({ 'procure:interserverEndpoint': '' }))).not.toHaveProperty('interserverEndpoint');
  });

  it('mails alarms to the approvers unless opsEmails is given (a CLI list; empty = unset)', () => {
    const approvers = readProcureConfig(contextOf({ 'procure:approverEmails': 'a@acme.com' }));
    expect(approvers).not.toHaveProperty('opsEmails');
    expect(opsEmailsOf(approvers)).toEqual(['a@acme.com']);
    expect(opsEmailsOf(readProcureConfig(contextOf({ 'procure:opsEmails': 'ops@acme.com, oncall@acme.com' })))).toEqual(['ops@acme.com', 'oncall@acme.com']);
    expect(readProcureConfig(contextOf({ 'procure:opsEmails': '' }))).not.toHaveProperty('opsEmails');
    expect(() => resolveProcureConfig({ opsEmails: ['not-an-address'] })).toThrow(/opsEmails/);
  });

  it('rejects bad values with every reason, naming the key', () => {
    let error: unknown;
    try {
      readProcureConfig(
        contextOf({
          procure: { approverEmails: [], senderEmail: 'nope', approvalTimeoutSeconds: 5, cocalcCheckoutMode: 'fast', requestEventSource: 'aws.events' },
          'procure:dailyPurchaseLimit': 'many',
        }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProcureConfigError);
    const issues = (error as ProcureConfigError).issues.join('\n');
    for (const key of ['approverEmails', 'senderEmail', 'approvalTimeoutSeconds', 'cocalcCheckoutMode', 'requestEventSource', 'dailyPurchaseLimit'])
      expect(issues).toContain(key);
  });

  it('keeps the purchases a daily limit can put in flight within what a budget counter item holds', () => {
    expect(resolveProcureConfig({ dailyPurchaseLimit: 585 }).dailyPurchaseLimit).toBe(585);
    expect(() => resolveProcureConfig({ dailyPurchaseLimit: 586 })).toThrow(
      /dailyPurchaseLimit: 586 a day could keep 4688 purchases in flight over the 8 days an execution can last.*at most 585/,
    );
    // A shorter approval wait lets more purchases a day through.
    expect(resolveProcureConfig({ dailyPurchaseLimit: 1000, approvalTimeoutSeconds: 3600 }).dailyPurchaseLimit).toBe(1000);
  });

  it('rejects unknown keys, so a typo cannot silently fall back to a default', () => {
    expect(() => resolveProcureConfig({ dailyPurchaseLimt: 3 })).toThrow(/dailyPurchaseLimt|Unrecognized/);
  });

  it('takes the API access log mode from the context and refuses anything else', () => {
    expect(readProcureConfig(contextOf({ 'procure:apiAccessLogs': 'account-has-role' })).apiAccessLogs).toBe('account-has-role');
    expect(() => resolveProcureConfig({ apiAccessLogs: 'on' })).toThrow(/apiAccessLogs/);
  });

  it('rejects non-http URLs and event bus ARNs', () => {
    expect(() => resolveProcureConfig({ cocalcBaseUrl: 'ftp://cocalc.com' })).toThrow(ProcureConfigError);
    expect(() => resolveProcureConfig({ eventBusName: 'arn:aws:events:us-east-1:1:event-bus/x' })).toThrow(ProcureConfigError);
  });
});

describe('a configured stack', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthProcure({
      approvalTimeoutSeconds: 3600,
      eventBusName: 'procurement',
      requestEventSource: 'acme.requests',
      approvalBaseUrl: 'https://approve.acme.test',
      interserverEndpoint: 'https://soap.acme.test/api.php',
      approverEmails: ['boss@acme.test'],
      senderEmail: 'procure@mail.acme.test',
    });
  });
  afterAll(() => s.dispose());

  const env = (id: Parameters<Synthesized['fnId']>[0]): Record<string, unknown> =>
    (s.json.Resources[s.fnId(id)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;

  it('waits exactly the configured approval timeout and bounds the execution above two rounds', () => {
    const asl = s.asl();
    expect(asl.States[STATE.RequestApproval]!.TimeoutSeconds).toBe(3600);
    expect(asl.TimeoutSeconds).toBe(2 * 3600 + 3600);
    expect(env('RequestApproval')[ENV.APPROVAL_TIMEOUT_SECONDS]).toBe('3600');
  });

  it('listens for the configured source on the configured bus, and publishes there', () => {
    const rule = Object.values(s.template.findResources('AWS::Events::Rule'))[0] as { Properties: Record<string, unknown> };
    expect(rule.Properties.EventBusName).toBe('procurement');
    expect(rule.Properties.EventPattern).toEqual({ source: ['acme.requests'], 'detail-type': [EVENTS.requested] });
    expect(env('Intake')).toMatchObject({ [ENV.EVENT_BUS_NAME]: 'procurement', [ENV.EVENT_SOURCE]: EVENTS.workflowSource });
  });

  it('uses the configured approval base URL and InterServer endpoint', () => {
    expect(env('RequestApproval')[ENV.APPROVAL_BASE_URL]).toBe('https://approve.acme.test');
    for (const id of ['PreparePurchase', 'InterserverBuy', 'VerifyLicense', 'ListLicenses'] as const)
      expect(env(id)[INTERSERVER_ENV.ENDPOINT]).toBe('https://soap.acme.test/api.php');
    expect(env('CocalcCheckout')).not.toHaveProperty(INTERSERVER_ENV.ENDPOINT);
  });

  it('scopes ses:SendEmail to the configured sender, its domain and the approvers', () => {
    const policies = Object.values(s.template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } };
    }>;
    const ses = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).find((st) => st.Action === 'ses:SendEmail')!;
    const identities = (ses.Resource as unknown[]).map((r) => String(s.resolve(r)).split('identity/')[1]);
    // In any order: the flag @aws-cdk/aws-iam:minimizePolicies sorts a statement's resources.
    expect(identities.sort()).toEqual(['boss@acme.test', 'mail.acme.test', 'procure@mail.acme.test']);
  });
});

describe('configuration that would deploy and then fail', () => {
  it('warns about the default sender and approver, which are in a reserved example domain', () => {
    const warnings = configWarnings(resolveProcureConfig());
    expect(warnings.map((w) => w.key)).toEqual(['senderEmail', 'approverEmails']);
    expect(warnings[0]!.message).toContain('procure@example.com');
    expect(warnings[0]!.message).toContain('-c procure:senderEmail=');
    expect(warnings[1]!.message).toContain('approver@example.com');
    expect(warnings[1]!.message).toContain('-c procure:approverEmails=');
  });

  it('names only the example addresses among real ones, subdomains included', () => {
    const warnings = configWarnings(resolveProcureConfig({ senderEmail: 'procure@mail.acme.com', approverEmails: ['boss@acme.com', 'ops@lists.example.org'] }));
    expect(warnings).toEqual([
      expect.objectContaining({ key: 'approverEmails', message: expect.stringMatching(/^approverEmails ops@lists\.example\.org is /) }),
    ]);
  });

  it('warns about opsEmails in an example domain only when they are set (unset, they are the approvers)', () => {
    const real = { senderEmail: 'procure@acme.com', approverEmails: ['boss@acme.com'] };
    expect(configWarnings(resolveProcureConfig(real))).toEqual([]);
    expect(configWarnings(resolveProcureConfig({ ...real, opsEmails: ['ops@acme.com', 'oncall@example.com'] }))).toEqual([
      expect.objectContaining({ key: 'opsEmails', message: expect.stringMatching(/^opsEmails oncall@example\.com is .* -c procure:opsEmails=/) }),
    ]);
  });

  it('says nothing about real addresses, even ones that merely contain "example"', () => {
    expect(configWarnings(resolveProcureConfig({ senderEmail: 'procure@example-corp.com', approverEmails: ['example@acme.com'] }))).toEqual([]);
  });

  it('reaches `cdk synth` and `cdk deploy` as CDK warnings on the stack', () => {
    const defaults = synthProcure();
    try {
      const annotations = Annotations.fromStack(defaults.stack);
      annotations.hasWarning('/Procure', Match.stringLikeRegexp('^senderEmail procure@example\\.com is in a reserved example domain'));
      annotations.hasWarning('/Procure', Match.stringLikeRegexp('^approverEmails approver@example\\.com is in a reserved example domain'));
      expect(annotations.findWarning('*', Match.anyValue())).toHaveLength(2);
    } finally {
      defaults.dispose();
    }
    // A whole synth with bundling: CPU-bound, far past the default timeout on a busy 2-core machine.
  }, 120_000);
});

describe('CDK CLI settings', () => {
  it('leaves CDK notices on for deploys (security notices reach the operator); the local synth turns them off', () => {
    const cdkJson = JSON.parse(readFileSync(join(PROJECT_DIR, 'cdk.json'), 'utf8')) as Record<string, unknown>;
    expect(cdkJson.notices).not.toBe(false);
    expect(readFileSync(join(PROJECT_DIR, 'lib', 'local', 'synth.ts'), 'utf8')).toContain("'--no-notices'");
  });
});
