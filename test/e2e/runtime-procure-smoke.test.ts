import { COCALC_STATES } from '../../lambdas/vendors/cocalc/core/states';
import { INTERSERVER_STATES } from '../../lambdas/vendors/interserver/core/states';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local';
import { FUNCTIONS } from '../../lambdas/core/functions';
import { STATE } from '../../lambdas/core/workflow';
import { ENV } from '../../lambdas/shared/env-names';
import { PROJECT_DIR } from '../support/project-dir';
import { COCALC_ENV } from '../../lambdas/vendors/cocalc/shared/env-names';
import { INTERSERVER_ENV } from '../../lambdas/vendors/interserver/shared/env-names';

/** The runtime starts on procure's own synthesized stack with every Task mapped (a smoke test). */
describe('the local runtime on the procure stack', () => {
  let rt: LocalRuntime;
  const logs: string[] = [];

  beforeAll(async () => {
    // Synthesizes cdk.out when a source is newer than it (bundling all handlers takes a while).
    rt = await startLocalRuntime({ projectDir: PROJECT_DIR, inMemory: true, synth: 'auto', log: (l) => logs.push(l) });
  }, 300_000);

  afterAll(async () => {
    await rt?.close();
  });

  it('maps every Task of the purchase workflow to its Lambda', () => {
    expect(Object.keys(rt.functions).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    expect(rt.stateMachines).toHaveLength(1);
    expect(rt.stateMachines[0]!.tasks).toEqual({
      [STATE.PreparePurchase]: 'PreparePurchase',
      [COCALC_STATES.AddToCart]: 'CocalcAddToCart',
      [STATE.RequestApproval]: 'RequestApproval',
      [COCALC_STATES.Checkout]: 'CocalcCheckout',
      [INTERSERVER_STATES.BuyLicense]: 'InterserverBuy',
      [STATE.VerifyLicense]: 'VerifyLicense',
      [STATE.RecordCompleted]: 'RecordOutcome',
      [STATE.RecordNotCompleted]: 'RecordOutcome',
    });
    expect(rt.warnings).toEqual([]);
  });

  it('acknowledges the alarms, their topic and the dashboard as AWS-only, without a warning', () => {
    expect(rt.notEmulated).toEqual([
      expect.stringMatching(/^\d+ AWS::CloudWatch::Alarm$/),
      '1 AWS::CloudWatch::Dashboard',
      '1 AWS::SNS::Topic',
      '1 AWS::SNS::TopicPolicy',
      expect.stringMatching(/^\d+ AWS::SNS::Subscription$/),
      expect.stringMatching(/^rule OperationsPurchaseNotices\w+ target \w+: SNS topic arn:aws:sns:/),
    ]);
    expect(logs).toContainEqual(expect.stringMatching(/^AWS only, not emulated: \d+ AWS::CloudWatch::Alarm; /));
  });

  it("hosts every function as the template's nodejs24.x runtime", () => {
    for (const id of Object.keys(FUNCTIONS)) expect(rt.envOf(id).AWS_EXECUTION_ENV, id).toBe('AWS_Lambda_nodejs24.x');
  });

  it('starts the vendor sandboxes and points the functions at them, at the local API and at the loopback services', () => {
    expect(rt.sandboxes.cocalc?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(rt.sandboxes.interserver?.url).toMatch(/\?wsdl$/);
    const checkout = rt.envOf('CocalcCheckout');
    expect(checkout[COCALC_ENV.BASE_URL]).toBe(rt.sandboxes.cocalc?.url);
    const buy = rt.envOf('InterserverBuy');
    expect(buy[INTERSERVER_ENV.WSDL_URL]).toBe(rt.sandboxes.interserver?.url);
    expect(buy[INTERSERVER_ENV.ENDPOINT]).toBe(rt.sandboxes.interserver?.endpoint);
    const approval = rt.envOf('RequestApproval');
    expect(approval[ENV.APPROVAL_BASE_URL]).toBe(rt.apiUrl);
    expect(approval[ENV.STATE_TABLE_NAME]).toBe(Object.values(rt.tables).find((t) => t.startsWith('StateTable')));
    expect(rt.envOf('Intake')[ENV.STATE_MACHINE_ARN]).toBe(rt.stateMachineArn);
    expect(approval.AWS_ENDPOINT_URL_SFN).toBe(rt.awsEndpoint);
  });

  it("routes the template's API: IAM routes want a signature, approval links reach the ApprovalsApi function", async () => {
    const unsigned = await request(`${rt.apiUrl}/licenses`);
    expect(unsigned.statusCode).toBe(403);
    expect(await unsigned.body.json()).toEqual({ message: 'Missing Authentication Token' });
    const approval = await request(`${rt.apiUrl}/approvals/does-not-exist?sig=x`);
    expect(approval.statusCode).not.toBe(403);
    await approval.body.dump();
  });
});
