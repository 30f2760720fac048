import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher, EventPublishError } from '../../lambdas/adapters/aws/eventbridge-publisher';
import { startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';

// EventBridge has no local emulator: a loopback stub answers PutEvents so the real SDK client runs.
describe('EventBridgePublisher', () => {
  let stub: LoopbackAws;
  let failNext = false;
  beforeAll(async () => {
    stub = await startLoopbackAws(() =>
      failNext
        ? { body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] } }
        : { body: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] } },
    );
  });
  afterAll(async () => stub.close());

  it('puts one entry with the bus, source, detail-type and JSON detail', async () => {
    const publisher = new EventBridgePublisher(new EventBridgeClient(stub.clientConfig()), 'procure-bus', 'procure.workflow');

    await publisher.publish('License Purchase Failed', { requestId: 'r-1', reason: 'bad' });

    expect(stub.requests.at(-1)).toMatchObject({
      operation: 'PutEvents',
      body: {
        Entries: [
          {
            EventBusName: 'procure-bus',
            Source: 'procure.workflow',
            DetailType: 'License Purchase Failed',
            Detail: JSON.stringify({ requestId: 'r-1', reason: 'bad' }),
          },
        ],
      },
    });
  });

  it('treats a failed entry in a successful response as an error', async () => {
    const publisher = new EventBridgePublisher(new EventBridgeClient(stub.clientConfig()), 'procure-bus', 'procure.workflow');
    failNext = true;

    await expect(publisher.publish('X', {})).rejects.toThrow(EventPublishError);
    await expect(publisher.publish('X', {})).rejects.toThrow(/InternalFailure/);
  });
});
