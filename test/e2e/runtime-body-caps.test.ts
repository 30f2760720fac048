import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local';
import { MAX_REQUEST_BYTES } from '../../lib/local/http-body';
import { startFixtureRuntime } from '../support/fixture-runtime';
import { streamBody } from '../support/stream-body';

/** Issue 9, bullet 4: 1 MiB request bodies for the stand-ins and the API, 256 KB per PutEvents entry. */
describe('the local runtime caps request bodies', () => {
  let rt: LocalRuntime;

  beforeAll(async () => {
    rt = await startFixtureRuntime();
  });

  afterAll(async () => {
    await rt?.close();
  });

  it('the AWS stand-in endpoint refuses a declared 2 MiB body with 413 without reading it', async () => {
    const res = await fetch(rt.awsEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: 'x'.repeat(2 * MAX_REQUEST_BYTES),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
  });

  it.each([
    ['AWS stand-ins', () => rt.awsEndpoint, { 'x-amz-target': 'AWSEvents.PutEvents' }],
    ['DynamoDB', () => rt.dynamoEndpoint, { 'x-amz-target': 'DynamoDB_20120810.Scan' }],
    ['API router', () => `${rt.apiUrl}/approvals/x`, {}],
  ] as const)('%s: a streamed 300 MiB body is answered 413 once past 1 MiB, long before the end', async (_name, url, headers) => {
    const { status, written } = await streamBody(url(), 300 * 1024 * 1024, { ...headers });
    expect(status).toBe(413);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('a body within the cap still reaches the service (signature checked next)', async () => {
    const res = await fetch(rt.awsEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({ Entries: [] }),
    });
    expect(res.status).toBe(403);
  });

  it('PutEvents refuses an entry over 256 KB as a per-entry failure and accepts the others', async () => {
    const client = new EventBridgeClient({ ...rt.clientConfig('aws'), maxAttempts: 1 });
    const before = rt.emittedEvents.length;
    const big = JSON.stringify({ pad: 'x'.repeat(256 * 1024) });
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'test.caps', DetailType: 'Big', Detail: big },
          { Source: 'test.caps', DetailType: 'Small', Detail: '{"ok":true}' },
        ],
      }),
    );
    client.destroy();
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries![0]).toMatchObject({ ErrorCode: 'InvalidArgument' });
    expect(out.Entries![0]!.ErrorMessage).toMatch(/exceeds the maximum of 262144 bytes/);
    expect(out.Entries![1]!.EventId).toBeTruthy();
    expect(rt.emittedEvents.slice(before).map((e) => e['detail-type'])).toEqual(['Small']);
  });
});
