import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local';
import { readRuntimeCredentials } from '../../lib/local/local-credentials';
import { startFixtureRuntime } from '../support/fixture-runtime';

/**
 * Issue 9, bullet 4: the loopback AWS stand-ins and the IAM API routes accept only requests signed
 * with the runtime's per-run credentials (checked SigV4); an unsigned or wrongly-signed call is
 * answered 403 as AWS does and changes nothing. The functions and rt.clientConfig() carry them.
 */
describe('the local runtime refuses calls not signed with its per-run credentials', () => {
  let rt: LocalRuntime;
  let table: string;
  let secretId: string;

  beforeAll(async () => {
    rt = await startFixtureRuntime();
    table = Object.values(rt.tables)[0]!;
    secretId = firstSecretArn(rt);
  });

  afterAll(async () => {
    await rt?.close();
  });

  const wrongSecret = () => ({
    ...rt.clientConfig('aws'),
    credentials: { ...rt.clientConfig('aws').credentials, secretAccessKey: 'not-the-secret' },
    maxAttempts: 1,
  });
  const wrongKey = () => ({ ...rt.clientConfig('aws'), credentials: { accessKeyId: 'LOCALACCESSKEY', secretAccessKey: 'local-secret-key' }, maxAttempts: 1 });
  const dynamoWith = (c: { credentials: { accessKeyId: string; secretAccessKey: string } }) =>
    new DynamoDBClient({ ...rt.clientConfig('dynamodb'), credentials: c.credentials, maxAttempts: 1 });

  /** A raw, unsigned AWS-JSON call. */
  async function unsigned(endpoint: string, target: string, body: unknown, version = '1.1'): Promise<{ status: number; type: string }> {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { __type?: string };
    return { status: res.status, type: String(json.__type ?? '').replace(/^.*#/, '') };
  }

  async function refused(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
    try {
      await p;
    } catch (err) {
      const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
      return { name: e.name, status: e.$metadata?.httpStatusCode };
    }
    throw new Error('the call was accepted');
  }

  it('hands the functions and clientConfig() per-run credentials, and the CLI a 0600 file', () => {
    const creds = rt.clientConfig('aws').credentials;
    expect(creds.accessKeyId).toMatch(/^ASIALOCAL[0-9A-F]{12}$/);
    expect(creds.accessKeyId).not.toBe('LOCALACCESSKEY');
    const env = rt.envOf('EchoA');
    expect(env.AWS_ACCESS_KEY_ID).toBe(creds.accessKeyId);
    expect(env.AWS_SECRET_ACCESS_KEY).toBe(creds.secretAccessKey);
    expect(env.AWS_SESSION_TOKEN).toBeTruthy();
    expect(readRuntimeCredentials(rt.dataDir)).toEqual(creds);
    expect(statSync(join(rt.dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('DynamoDB: unsigned and wrongly-signed Scan/GetItem/PutItem are refused with 403 and write nothing', async () => {
    const u = await unsigned(rt.dynamoEndpoint, 'DynamoDB_20120810.Scan', { TableName: table }, '1.0');
    expect(u).toEqual({ status: 403, type: 'MissingAuthenticationTokenException' });
    const item = { pk: { S: 'intruder' }, sk: { S: 'intruder' } };
    const put = await unsigned(rt.dynamoEndpoint, 'DynamoDB_20120810.PutItem', { TableName: table, Item: item }, '1.0');
    expect(put.status).toBe(403);
    expect(await refused(dynamoWith(wrongSecret()).send(new ScanCommand({ TableName: table })))).toEqual({ name: 'InvalidSignatureException', status: 403 });
    expect(await refused(dynamoWith(wrongKey()).send(new GetItemCommand({ TableName: table, Key: item })))).toEqual({
      name: 'UnrecognizedClientException',
      status: 403,
    });
    expect(await refused(dynamoWith(wrongSecret()).send(new PutItemCommand({ TableName: table, Item: item })))).toMatchObject({ status: 403 });
    const ok = new DynamoDBClient({ ...rt.clientConfig('dynamodb'), maxAttempts: 1 });
    const all = await ok.send(new ScanCommand({ TableName: table }));
    expect(JSON.stringify(all.Items ?? [])).not.toContain('intruder');
  });

  it('Step Functions: unsigned and wrongly-signed SendTaskSuccess/StartExecution are refused before anything runs', async () => {
    const before = rt.executions.list().length;
    expect(await unsigned(rt.awsEndpoint, 'AWSStepFunctions.SendTaskSuccess', { taskToken: 'x', output: '{}' }, '1.0')).toEqual({
      status: 403,
      type: 'MissingAuthenticationTokenException',
    });
    expect(await unsigned(rt.awsEndpoint, 'AWSStepFunctions.StartExecution', { stateMachineArn: rt.stateMachineArn, input: '{}' }, '1.0')).toMatchObject({
      status: 403,
    });
    const bad = new SFNClient(wrongSecret());
    expect(await refused(bad.send(new SendTaskSuccessCommand({ taskToken: 'x', output: '{}' })))).toEqual({ name: 'InvalidSignatureException', status: 403 });
    expect(await refused(new SFNClient(wrongKey()).send(new StartExecutionCommand({ stateMachineArn: rt.stateMachineArn, input: '{}' })))).toEqual({
      name: 'UnrecognizedClientException',
      status: 403,
    });
    expect(rt.executions.list()).toHaveLength(before);
    // Signed with the runtime's credentials the same call reaches the facade (which knows no such token).
    expect(
      await refused(new SFNClient({ ...rt.clientConfig('aws'), maxAttempts: 1 }).send(new SendTaskSuccessCommand({ taskToken: 'x', output: '{}' }))),
    ).toMatchObject({ name: 'InvalidToken', status: 400 });
  });

  it('Secrets Manager: GetSecretValue unsigned or wrongly-signed is refused and returns no value', async () => {
    const res = await fetch(rt.awsEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: secretId }),
    });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('SecretString');
    expect(await refused(new SecretsManagerClient(wrongSecret()).send(new GetSecretValueCommand({ SecretId: secretId })))).toEqual({
      name: 'InvalidSignatureException',
      status: 403,
    });
    expect(await refused(new SecretsManagerClient(wrongKey()).send(new GetSecretValueCommand({ SecretId: secretId })))).toEqual({
      name: 'UnrecognizedClientException',
      status: 403,
    });
    const good = await new SecretsManagerClient({ ...rt.clientConfig('aws'), maxAttempts: 1 }).send(new GetSecretValueCommand({ SecretId: secretId }));
    expect(good.SecretString).toBeTruthy();
  });

  it('EventBridge PutEvents and SES SendEmail: refused, nothing emitted or mailed', async () => {
    const emitted = rt.emittedEvents.length;
    const mails = rt.mails.length;
    const executions = rt.executions.list().length;
    const entry = { Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: JSON.stringify({ purchaseId: 'pur-intruder' }) };
    expect(await unsigned(rt.awsEndpoint, 'AWSEvents.PutEvents', { Entries: [entry] })).toEqual({ status: 403, type: 'MissingAuthenticationTokenException' });
    expect(await refused(new EventBridgeClient(wrongSecret()).send(new PutEventsCommand({ Entries: [entry] })))).toEqual({
      name: 'InvalidSignatureException',
      status: 403,
    });
    expect(await refused(new EventBridgeClient(wrongKey()).send(new PutEventsCommand({ Entries: [entry] })))).toEqual({
      name: 'UnrecognizedClientException',
      status: 403,
    });
    const mail = {
      FromEmailAddress: 'a@example.com',
      Destination: { ToAddresses: ['b@example.com'] },
      Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'x' } } } },
    };
    const ses = await fetch(`${rt.awsEndpoint}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mail),
    });
    expect(ses.status).toBe(403);
    expect(await refused(new SESv2Client(wrongSecret()).send(new SendEmailCommand(mail)))).toMatchObject({ status: 403 });
    await rt.eventsIdle();
    expect(rt.emittedEvents).toHaveLength(emitted);
    expect(rt.mails).toHaveLength(mails);
    expect(rt.executions.list()).toHaveLength(executions);
  });

  it('the IAM API route: unsigned 403, wrongly signed 403, signed with the runtime credentials passes', async () => {
    const url = `${rt.apiUrl}/echo/x`;
    expect((await fetch(url)).status).toBe(403);
    const sign = async (credentials: { accessKeyId: string; secretAccessKey: string }) => {
      const u = new URL(url);
      const signed = await new SignatureV4({ service: 'execute-api', region: rt.region, credentials, sha256: Sha256 }).sign({
        method: 'GET',
        protocol: 'http:',
        hostname: u.hostname,
        port: Number(u.port),
        path: u.pathname,
        query: {},
        headers: { host: u.host },
      });
      return fetch(url, { headers: signed.headers as Record<string, string> });
    };
    const wrong = await sign(wrongSecret().credentials);
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect((await sign(wrongKey().credentials)).headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect((await sign(rt.clientConfig('aws').credentials)).status).toBe(200);
  });
});

/** The ARN of a secret the fixture's functions reference. */
function firstSecretArn(rt: LocalRuntime): string {
  for (const id of Object.keys(rt.functions)) {
    for (const [k, v] of Object.entries(rt.envOf(id))) if (k.endsWith('SECRET_ARN') && v.startsWith('arn:')) return v;
  }
  throw new Error('the fixture has no secret');
}
