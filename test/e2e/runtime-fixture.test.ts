import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime, StepEvent } from '../../lib/local';
import { startFixtureRuntime, waitForMails } from '../support/fixture-runtime';
import { signedApiHeaders } from '../support/sign-request';

/**
 * The whole runtime on the fixture app: the synthesized state machine on the engine, bundled
 * handlers in workers, API Gateway and EventBridge routing from the template, loopback AWS services.
 */
describe('the local runtime on a synthesized CDK app', () => {
  let rt: LocalRuntime;
  const steps: StepEvent[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    process.env.FIXTURE_HOST_ONLY = 'must not leak';
    rt = await startFixtureRuntime({
      configOverrides: { FIXTURE_EXTRA: 'for everyone', APPROVAL_TIMEOUT_SECONDS: '120' },
      onStep: (e) => steps.push(e),
      log: (l) => logs.push(l),
    });
  });

  afterAll(async () => {
    delete process.env.FIXTURE_HOST_ONLY;
    await rt?.close();
  });

  it('starts with every Task mapped to the Lambda of the same logical id', () => {
    expect(rt.stateMachines).toHaveLength(1);
    expect(rt.stateMachines[0]!.tasks).toEqual({ Quote: 'EchoA', RequestApproval: 'RequestApproval', Notify: 'EchoB' });
    expect(Object.keys(rt.functions).sort()).toEqual(['ApprovalsApi', 'EchoA', 'EchoB', 'Intake', 'RequestApproval']);
    expect(rt.warnings).toEqual([]);
    expect(logs.some((l) => /^local runtime up in \d+ ms/.test(l))).toBe(true);
  });

  it('runs a purchase end to end: event -> rule -> Intake -> StartExecution -> mail -> approval link -> success event', async () => {
    const put = rt.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: { purchaseId: 'pur-approve' } }]);
    expect(put.FailedEntryCount).toBe(0);
    await waitForMails(rt, 1);
    const mail = rt.mails[0]!;
    expect(mail.to).toEqual(['boss@example.com']);
    const link = mail.links[0]!;
    expect(link.startsWith(`${rt.apiUrl}/approvals/`)).toBe(true);
    const page = await request(link, { headers: { 'user-agent': 'e2e-browser' } });
    expect(page.statusCode).toBe(200);
    expect(await page.body.text()).toContain('approve pur-approve?');
    const decided = await request(link, { method: 'POST', body: 'decision=approve', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(decided.statusCode).toBe(200);
    expect(await decided.body.text()).toBe('APPROVED');

    const done = await rt.executions.wait('pur-approve');
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!) as Record<string, unknown>;
    // The default LambdaInvoke wraps the result in { Payload }, which the ResultSelector unwraps.
    expect(output.quote).toEqual({ amount: 42, by: 'from A' });
    expect(output.approval).toEqual({ decision: 'APPROVED', approver: 'boss@example.com', sourceIp: '127.0.0.1' });
    expect(output.eventId).toBe(put.Entries[0]!.EventId);
    expect(rt.emittedEvents.map((e) => e['detail-type'])).toContain('License Purchase Completed');
    const exited = steps.filter((s) => s.executionName === 'pur-approve' && s.type === 'StateExited').map((s) => s.state);
    expect(exited).toEqual(['Quote', 'RequestApproval', 'Decision', 'Notify', 'Done']);
  });

  it('fails a rejected purchase, and a second click meets a closed task (TaskTimedOut)', async () => {
    rt.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: { purchaseId: 'pur-reject' } }]);
    await waitForMails(rt, 2);
    const link = rt.mails.find((m) => m.subject.includes('pur-reject'))!.links[0]!;
    const first = await request(link, { method: 'POST', body: 'decision=reject' });
    expect(await first.body.text()).toBe('REJECTED');
    const r = await rt.executions.wait('pur-reject');
    expect(r).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'the approver said no' });
    const second = await request(link, { method: 'POST', body: 'decision=approve' });
    expect(second.statusCode).toBe(409);
    expect(await second.body.text()).toBe('already decided (TaskTimedOut)');
  });

  it("surfaces a handler's thrown error to Step Functions with its name and Lambda's Cause JSON", async () => {
    rt.executions.start({ purchaseId: 'pur-throw', throwAt: 'Quote' }, 'pur-throw');
    const r = await rt.executions.wait('pur-throw');
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('QuoteFailedError');
    const cause = JSON.parse(r.cause!) as { errorType: string; errorMessage: string; trace: string[] };
    expect(cause.errorType).toBe('QuoteFailedError');
    expect(cause.errorMessage).toBe('no quote for you');
    expect(cause.trace[0]).toBe('QuoteFailedError: no quote for you');
    expect(steps.find((s) => s.executionName === 'pur-throw' && s.type === 'StateCaught')).toMatchObject({ state: 'Quote', outcome: 'caught' });
  });

  it('runs each function with its own resolved environment', async () => {
    const a = (await rt.invoke('EchoA', { action: 'env' })) as Record<string, unknown>;
    const b = (await rt.invoke('EchoB', { action: 'env' })) as Record<string, unknown>;
    // Template values resolved per function; an override applies where the template defines the
    // variable, or everywhere when no function defines it; nothing leaks from the host process.
    expect(a).toMatchObject({
      greeting: 'from A',
      stateTable: rt.tables.StateTable9728C7E5,
      cocalcBaseUrl: 'https://cocalc.com',
      approvalTimeout: null,
      extra: 'for everyone',
      hostOnly: null,
      region: 'us-east-1',
    });
    expect(b).toMatchObject({ greeting: 'from B', stateTable: null, approvalTimeout: '120', extra: 'for everyone', hostOnly: null });
    expect(a.functionName).toBe(rt.functions.EchoA);
    expect(b.functionName).toBe(rt.functions.EchoB);
    expect(a.functionNameEnv).toBe(a.functionName);
    expect(b.remainingMs).toBeLessThanOrEqual(2000);
    const env = rt.envOf('RequestApproval');
    expect(env.APPROVAL_BASE_URL).toBe(rt.apiUrl);
    expect(env.AWS_ENDPOINT_URL_DYNAMODB).toBe(rt.dynamoEndpoint);
    for (const name of ['AWS_ENDPOINT_URL_SFN', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_SESV2', 'AWS_ENDPOINT_URL_EVENTBRIDGE'])
      expect(env[name]).toBe(rt.awsEndpoint);
    expect(rt.envOf('EchoA').SIGNING_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:SigningSecretCF7EC744-[A-Za-z]{6}$/);
  });

  it('serves secrets and DynamoDB to the handlers through the real SDK', async () => {
    expect(await rt.invoke('EchoA', { action: 'secret' })).toEqual({ signingLength: 43, cocalcKeys: ['apiKey'] });
    await rt.invoke('EchoA', { action: 'put', message: 'from-e2e' });
    const client = new DynamoDBClient(rt.clientConfig('dynamodb'));
    const got = await client.send(new GetItemCommand({ TableName: rt.tables.StateTable9728C7E5!, Key: { pk: { S: 'ECHO' }, sk: { S: 'from-e2e' } } }));
    client.destroy();
    expect(got.Item).toEqual({ pk: { S: 'ECHO' }, sk: { S: 'from-e2e' } });
  });

  it('routes API requests like the template: IAM routes need a signature, proxy events reach the function', async () => {
    const unsigned = await request(`${rt.apiUrl}/echo/a/b?x=1`);
    expect(unsigned.statusCode).toBe(403);
    await unsigned.body.dump();
    const signed = await request(`${rt.apiUrl}/echo/a/b?x=1`, { headers: await signedApiHeaders(rt, 'GET', `${rt.apiUrl}/echo/a/b?x=1`) });
    expect(signed.statusCode).toBe(200);
    expect(signed.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const event = (await signed.body.json()) as Record<string, unknown>;
    expect(event).toMatchObject({
      resource: '/echo/{proxy+}',
      pathParameters: { proxy: 'a/b' },
      queryStringParameters: { x: '1' },
      requestContext: { stage: 'prod' },
    });
  });
});
