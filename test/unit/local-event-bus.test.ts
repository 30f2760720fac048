import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '../../lib/local/aws-endpoint';
import { EventBus, type LocalRule } from '../../lib/local/event-bus';
import { LambdaHost } from '../../lib/local/lambda-host';
import { useEndpointEnv } from '../support/endpoint-env';
import { tinyLambdas, type TinyLambdas } from '../support/tiny-lambdas';

const RECORD = `
const seen = [];
exports.handler = async (event) => {
  seen.push(event);
  if (event.detail && event.detail.failTimes && seen.filter((e) => e.id === event.id).length <= event.detail.failTimes) {
    const e = new Error('not yet'); e.name = 'FlakyError'; throw e;
  }
  return seen.length;
};
exports.seen = seen;`;

describe('the local EventBridge (PutEvents -> rules -> Lambda targets)', () => {
  let lambdas: TinyLambdas;
  let host: LambdaHost;
  let endpoint: AwsEndpoint;
  let bus: EventBus;
  let restoreEnv: () => void;
  const delivered: Array<{ fn: string; event: Record<string, unknown> }> = [];
  const started: string[] = [];

  beforeAll(async () => {
    lambdas = tinyLambdas({ Intake: { code: RECORD }, Audit: { code: RECORD } });
    host = new LambdaHost(lambdas.functions);
    const rules: LocalRule[] = [
      {
        logicalId: 'Requested',
        name: 'Requested',
        busName: 'default',
        enabled: true,
        pattern: { source: ['procure.requests'], 'detail-type': ['License Purchase Requested'] },
        targets: [{ id: 'T0', arn: 'arn:aws:lambda:us-east-1:123456789012:function:Intake0A1B2C3D', kind: 'lambda', ref: 'Intake0A1B2C3D' }],
      },
      {
        logicalId: 'Outcomes',
        name: 'Outcomes',
        busName: 'procure',
        enabled: true,
        pattern: { source: [{ prefix: 'procure.workflow' }] },
        targets: [
          { id: 'T1', arn: 'arn:aws:lambda:us-east-1:123456789012:function:Audit0A1B2C3D', kind: 'lambda', ref: 'Audit0A1B2C3D', inputPath: '$.detail' },
          { id: 'T2', arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow', kind: 'state-machine', ref: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow' },
        ],
      },
    ];
    bus = new EventBus({
      rules,
      region: 'us-east-1',
      accountId: '123456789012',
      retryDelaysMs: [10, 10],
      invokeAsync: async (fn, event) => {
        delivered.push({ fn, event: event as Record<string, unknown> });
        return host.invoke(fn, event);
      },
      startExecution: (_arn, input) => {
        started.push(input);
      },
    });
    endpoint = await startAwsEndpoint({ events: bus.facade() });
    restoreEnv = useEndpointEnv({ AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint.url });
  });

  afterAll(async () => {
    restoreEnv();
    await endpoint.close();
    await host.close();
    lambdas.remove();
  });

  it('is reached by the real SDK client through AWS_ENDPOINT_URL_EVENTBRIDGE and delivers the full envelope', async () => {
    const client = new EventBridgeClient({});
    const out = await client.send(
      new PutEventsCommand({ Entries: [{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: JSON.stringify({ requestId: 'r1' }) }] }),
    );
    client.destroy();
    expect(out.FailedEntryCount).toBe(0);
    const id = out.Entries?.[0]?.EventId;
    await bus.idle();
    const got = delivered.find((d) => d.event.id === id);
    expect(got?.fn).toBe('Intake0A1B2C3D');
    expect(got?.event).toEqual({
      version: '0',
      id,
      'detail-type': 'License Purchase Requested',
      source: 'procure.requests',
      account: '123456789012',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail: { requestId: 'r1' },
    });
    expect(bus.emitted.map((e) => e.id)).toContain(id);
  });

  it('routes by bus name and applies InputPath; state machine targets start an execution', async () => {
    const res = bus.putEvents([
      { Source: 'procure.workflow', DetailType: 'License Purchase Completed', Detail: JSON.stringify({ purchaseId: 'p1' }), EventBusName: 'procure' },
      { Source: 'procure.workflow', DetailType: 'License Purchase Completed', Detail: JSON.stringify({ purchaseId: 'p2' }) },
    ]);
    expect(res.FailedEntryCount).toBe(0);
    await bus.idle();
    const audits = delivered.filter((d) => d.fn === 'Audit0A1B2C3D').map((d) => d.event);
    expect(audits).toEqual([{ purchaseId: 'p1' }]);
    expect(started.map((s) => JSON.parse(s).detail)).toEqual([{ purchaseId: 'p1' }]);
  });

  it('retries a failing async delivery twice, then records the failure', async () => {
    const ok = bus.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: JSON.stringify({ failTimes: 2 }) }]);
    const bad = bus.putEvents([{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: JSON.stringify({ failTimes: 5 }) }]);
    await bus.idle();
    const attempts = (id: string | undefined) => delivered.filter((d) => d.event.id === id).length;
    expect(attempts(ok.Entries[0]!.EventId)).toBe(3);
    expect(attempts(bad.Entries[0]!.EventId)).toBe(3);
    expect(bus.deliveryFailures).toEqual([expect.objectContaining({ eventId: bad.Entries[0]!.EventId, rule: 'Requested', error: 'FlakyError: not yet' })]);
  });

  it('answers per-entry errors like PutEvents', async () => {
    const client = new EventBridgeClient({});
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'a', DetailType: 'b', Detail: 'not json' },
          { Source: 'a', DetailType: 'b' },
          { Source: 'a', DetailType: 'b', Detail: '{}' },
        ],
      }),
    );
    client.destroy();
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['MalformedDetail', 'InvalidArgument', 'ok']);
  });
});
