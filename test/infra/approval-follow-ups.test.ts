import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcureConfigError, resolveProcureConfig } from '../../lib/resolve-config';
import { escalationDelayOf, reminderOffsetsOf } from '../../lib/follow-up-config';
import { ENV } from '../../lambdas/shared/env-names';
import { approvalFollowUpConfig, ConfigError } from '../../lambdas/shared/config';
import { iamStatements, statementsOf, synthProcure, type Synthesized } from './synth';

/**
 * The approval follow-ups on AWS (lib/constructs/approval-follow-ups.ts): a schedule invoking
 * ApprovalReminders through a role that may invoke only it, the configuration that reaches the
 * function, and the rules checked at synth and again at cold start.
 */
let s: Synthesized;
beforeAll(() => {
  s = synthProcure({ approvalEscalationEmails: ['boss@acme.test'], approvalReminderOffsetsSeconds: [86_400, 3600] });
});
afterAll(() => s.dispose());

const envOf = (x: Synthesized): Record<string, unknown> =>
  (x.json.Resources[x.fnId('ApprovalReminders')]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;

describe('the follow-up schedule', () => {
  it('runs ApprovalReminders every 5 minutes through a role that may invoke only it', () => {
    const target = JSON.stringify({ 'Fn::GetAtt': [s.fnId('ApprovalReminders'), 'Arn'] });
    const found = Object.values(s.template.findResources('AWS::Scheduler::Schedule')).filter((r) => JSON.stringify(r.Properties?.Target?.Arn) === target);
    expect(found).toHaveLength(1);
    expect(found[0]!.Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Target: { RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 } },
    });
    const role = (found[0]!.Properties.Target.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = iamStatements(s.json).filter((st) => st.roles.includes(role));
    expect(statements.map((st) => st.actions)).toEqual([['lambda:InvokeFunction']]);
    expect(statements[0]!.resources.map((r) => s.resolve(r))).toEqual([
      `arn:aws:lambda:us-east-1:123456789012:function:${s.fnId('ApprovalReminders')}`,
      `arn:aws:lambda:us-east-1:123456789012:function:${s.fnId('ApprovalReminders')}:*`,
    ]);
  });

  it('gives the function the offsets and the escalation, and lets it mail the escalation approvers', () => {
    expect(envOf(s)).toMatchObject({
      [ENV.APPROVAL_REMINDER_OFFSETS_SECONDS]: '86400,3600',
      [ENV.APPROVAL_ESCALATION_EMAILS]: 'boss@acme.test',
      [ENV.APPROVAL_ESCALATION_DELAY_SECONDS]: '129600',
    });
    const ses = statementsOf(s, 'ApprovalReminders').filter((st) => st.actions.includes('ses:SendEmail'));
    expect(ses.flatMap((st) => st.resources.map((r) => s.resolve(r)))).toContain('arn:aws:ses:us-east-1:123456789012:identity/boss@acme.test');
    // RequestApproval never mails the escalation approvers.
    const requestSes = statementsOf(s, 'RequestApproval').filter((st) => st.actions.includes('ses:SendEmail'));
    expect(requestSes.flatMap((st) => st.resources.map((r) => s.resolve(r)))).not.toContain('arn:aws:ses:us-east-1:123456789012:identity/boss@acme.test');
  });
});

describe('follow-up configuration', () => {
  it('defaults to one reminder a day before expiry (halfway for short timeouts) and an escalation delay of half the timeout', () => {
    expect(reminderOffsetsOf(resolveProcureConfig())).toEqual([86_400]);
    expect(reminderOffsetsOf(resolveProcureConfig({ approvalTimeoutSeconds: 3600 }))).toEqual([1800]);
    expect(reminderOffsetsOf(resolveProcureConfig({ approvalReminderOffsetsSeconds: '' }))).toEqual([]);
    expect(escalationDelayOf(resolveProcureConfig({ approvalTimeoutSeconds: 3600 }))).toBe(1800);
  });

  it.each([
    [
      { approvalTimeoutSeconds: 3600, approvalReminderOffsetsSeconds: [3600] },
      'approvalReminderOffsetsSeconds: 3600 must be shorter than approvalTimeoutSeconds (3600)',
    ],
    [
      { approvalTimeoutSeconds: 3600, approvalEscalationEmails: ['a@acme.test'], approvalEscalationDelaySeconds: 7200 },
      'approvalEscalationDelaySeconds: 7200 must be shorter',
    ],
    [{ approvalEscalationDelaySeconds: 60 }, 'set without approvalEscalationEmails'],
    [{ approvalEscalationEmails: 'not-an-address' }, 'approvalEscalationEmails'],
    [{ approvalReminderOffsetsSeconds: [0] }, 'approvalReminderOffsetsSeconds'],
  ])('refuses %j at synth', (config, message) => {
    expect(() => resolveProcureConfig(config)).toThrow(ProcureConfigError);
    expect(() => resolveProcureConfig(config)).toThrow(message);
  });

  it('is checked again at cold start', () => {
    const base = {
      [ENV.APPROVAL_TIMEOUT_SECONDS]: '3600',
      [ENV.APPROVAL_REMINDER_OFFSETS_SECONDS]: '600,60',
      [ENV.SENDER_EMAIL]: 'procure@acme.test',
      [ENV.APPROVAL_BASE_URL]: 'https://api.acme.test/prod/',
      [ENV.SIGNING_SECRET_ARN]: 'arn:secret',
    };
    expect(approvalFollowUpConfig(base)).toEqual({
      sender: 'procure@acme.test',
      baseUrl: 'https://api.acme.test/prod',
      signingSecretId: 'arn:secret',
      policy: { reminderOffsetsSeconds: [600, 60] },
    });
    expect(
      approvalFollowUpConfig({ ...base, [ENV.APPROVAL_ESCALATION_EMAILS]: 'b@acme.test', [ENV.APPROVAL_ESCALATION_DELAY_SECONDS]: '900' }).policy.escalation,
    ).toEqual({
      approvers: ['b@acme.test'],
      delaySeconds: 900,
    });
    expect(() => approvalFollowUpConfig({ ...base, [ENV.APPROVAL_REMINDER_OFFSETS_SECONDS]: '3600' })).toThrow(ConfigError);
    expect(() => approvalFollowUpConfig({ ...base, [ENV.APPROVAL_ESCALATION_EMAILS]: 'b@acme.test' })).toThrow(/APPROVAL_ESCALATION_DELAY_SECONDS/);
    expect(() => approvalFollowUpConfig({ ...base, [ENV.APPROVAL_ESCALATION_EMAILS]: 'nope', [ENV.APPROVAL_ESCALATION_DELAY_SECONDS]: '900' })).toThrow(
      ConfigError,
    );
    expect(() => approvalFollowUpConfig({ ...base, [ENV.APPROVAL_REMINDER_OFFSETS_SECONDS]: undefined })).toThrow(ConfigError);
  });
});
