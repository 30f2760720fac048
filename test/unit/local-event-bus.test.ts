import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RESOLVE_ENV } from '../../lib/local/cfn-template';
import { startAwsEndpoint, type AwsEndpoint } from '../../lib/local/aws-endpoint';
import type { LoadedStack } from '../../lib/local/cloud-assembly';
import { EventBus, type EventBusOptions } from '../../lib/local/event-bus';
import { DEFAULT_ASYNC_INVOKE, rulesFromTemplate, type AsyncInvokeConfig, type LocalRule } from '../../lib/local/event-rules';
import { DeadLetterStore } from '../../lib/local/event-dead-letters';
import { EventJournal, type JournalEntry } from '../../lib/local/event-journal';
import { FunctionDirectory, lambdasFromTemplate } from '../../lib/local/lambda-functions';
import { LambdaHost } from '../../lib/local/lambda-host';
import { THROTTLED_ERROR_TYPE } from '../../lib/local/lambda-errors';
import { useEndpointEnv } from '../support/endpoint-env';
import { tinyLambdas, type TinyLambdas } from '../support/tiny-lambdas';
import { waitFor } from '../support/wait';

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
          {
            id: 'T2',
            arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow',
            kind: 'state-machine',
            ref: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow',
          },
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
      new PutEventsCommand({
        Entries: [{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: JSON.stringify({ requestId: 'r1' }) }],
      }),
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

describe('the local EventBridge with a journal (an acknowledged entry survives the runtime)', () => {
  const INTAKE = 'arn:aws:lambda:us-east-1:123456789012:function:Intake0A1B2C3D';
  const rule = (asyncInvoke: AsyncInvokeConfig = DEFAULT_ASYNC_INVOKE): LocalRule => ({
    logicalId: 'RequestedRule1',
    name: 'Requested',
    busName: 'default',
    enabled: true,
    pattern: { source: ['procure.requests'] },
    targets: [{ id: 'Target0', arn: INTAKE, kind: 'lambda', ref: 'Intake0A1B2C3D', deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:Dlq', asyncInvoke }],
  });
  const request = (detail: Record<string, unknown> = {}): Array<Record<string, unknown>> => [
    { Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: JSON.stringify({ requestId: 'r1', ...detail }) },
  ];
  let dir: string;
  let file: string;
  const open: Array<{ close(): void }> = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'procure-bus-'));
    file = join(dir, 'events', 'journal.jsonl');
  });
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function busOn(options: Partial<EventBusOptions> & { invokeAsync: EventBusOptions['invokeAsync'] }): {
    bus: EventBus;
    journal: EventJournal;
    deadLetters: DeadLetterStore;
  } {
    const journal = EventJournal.open(file);
    const deadLetters = new DeadLetterStore(join(dir, 'events', 'dead-letters.jsonl'));
    const bus = new EventBus({
      rules: [rule()],
      region: 'us-east-1',
      accountId: '123456789012',
      startExecution: () => {},
      retryDelaysMs: [5, 5],
      journal,
      deadLetters,
      ...options,
    });
    open.push(bus, journal);
    return { bus, journal, deadLetters };
  }

  it('answers PutEvents over the wire only once the entry is in the journal file', async () => {
    const { bus } = busOn({ invokeAsync: async () => 'ok', hold: { at: 'before-invoke', ms: 60_000 } });
    const endpoint = await startAwsEndpoint({ events: bus.facade() });
    open.push({ close: () => void endpoint.close() });
    const client = new EventBridgeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const out = await client.send(
      new PutEventsCommand({ Entries: [{ Source: 'procure.requests', DetailType: 'License Purchase Requested', Detail: '{"requestId":"wire"}' }] }),
    );
    client.destroy();
    const id = out.Entries?.[0]?.EventId;
    const put = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { put?: JournalEntry });
    expect(put.map((l) => l.put?.id)).toEqual([id]);
    expect(put[0]!.put).toMatchObject({ busName: 'default', deliveries: ['RequestedRule1/Target0'], event: { id, detail: { requestId: 'wire' } } });
  });

  it('journals nothing for an entry no rule matches (nothing to deliver, no fsync to pay)', () => {
    const { bus, journal } = busOn({ invokeAsync: async () => 'ok' });
    const res = bus.putEvents([{ Source: 'procure.workflow', DetailType: 'License Purchase Completed', Detail: '{}' }]);
    expect(res.FailedEntryCount).toBe(0);
    expect(journal.size.fileBytes).toBe(0);
  });

  it('marks a delivery done only after the invocation succeeded, retries included', async () => {
    let calls = 0;
    let pendingDuringRetries: string[] = [];
    const { bus, journal } = busOn({
      invokeAsync: async () => {
        calls += 1;
        pendingDuringRetries = journal.pending().map((e) => e.id);
        if (calls < 3) throw Object.assign(new Error('not yet'), { name: 'FlakyError' });
        return 'ok';
      },
    });
    const res = bus.putEvents(request());
    await bus.idle();
    expect(calls).toBe(3);
    expect(pendingDuringRetries).toEqual([res.Entries[0]!.EventId]);
    expect(journal.pending()).toEqual([]);
  });

  it("dead-letters after the target function's MaximumRetryAttempts, keeps the letter on disk and marks the entry done", async () => {
    let calls = 0;
    const { bus, journal } = busOn({
      rules: [rule({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 3600, onFailure: 'arn:aws:sqs:us-east-1:123456789012:OnFailure' })],
      invokeAsync: async () => {
        calls += 1;
        throw Object.assign(new Error('boom'), { name: 'BoomError' });
      },
    });
    const id = bus.putEvents(request()).Entries[0]!.EventId;
    await bus.idle();
    expect(calls).toBe(2);
    expect(journal.pending()).toEqual([]);
    const letter = { eventId: id, rule: 'Requested', target: 'Target0', error: 'BoomError: boom', destination: 'arn:aws:sqs:us-east-1:123456789012:OnFailure' };
    expect(bus.deliveryFailures).toEqual([expect.objectContaining(letter)]);
    // A later run sees it too (the DLQ outlives the runtime), event included.
    const reopened = new DeadLetterStore(join(dir, 'events', 'dead-letters.jsonl'));
    expect(reopened.letters).toEqual([expect.objectContaining({ ...letter, event: expect.objectContaining({ id, detail: { requestId: 'r1' } }) })]);
  });

  it('retries a throttled attempt without counting it, as Lambda does', async () => {
    let calls = 0;
    const { bus, journal } = busOn({
      rules: [rule({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 3600 })],
      invokeAsync: async () => {
        calls += 1;
        if (calls <= 3) throw Object.assign(new Error('Rate exceeded'), { name: THROTTLED_ERROR_TYPE });
        return 'ok';
      },
    });
    bus.putEvents(request());
    await bus.idle();
    expect(calls).toBe(4);
    expect(bus.deliveryFailures).toEqual([]);
    expect(journal.pending()).toEqual([]);
  });

  it('leaves a delivery cut off by the close pending, and the next bus on the journal delivers it once, with the same event', async () => {
    const first = busOn({ invokeAsync: async () => 'ok', hold: { at: 'before-invoke', ms: 60_000 } });
    const id = first.bus.putEvents(request({ requestId: 'again' })).Entries[0]!.EventId!;
    first.bus.close();
    await first.bus.idle();
    first.journal.close();

    const delivered: Array<Record<string, unknown>> = [];
    const second = busOn({ invokeAsync: async (_fn, event) => void delivered.push(event as Record<string, unknown>) });
    const pending = second.journal.pending();
    expect(pending.map((e) => e.id)).toEqual([id]);
    expect(second.bus.redeliver(pending)).toBe(1);
    await second.bus.idle();
    expect(delivered).toEqual([expect.objectContaining({ id, source: 'procure.requests', detail: { requestId: 'again' } })]);
    expect(second.journal.pending()).toEqual([]);
  });

  it('keeps an entry pending when the target ran but the close came before it was marked done (after-invoke hold): delivered again at the next start', async () => {
    let ran = 0;
    const first = busOn({ invokeAsync: async () => void (ran += 1), hold: { at: 'after-invoke', ms: 60_000 } });
    first.bus.putEvents(request());
    await waitFor('the target to run', () => ran === 1, 10_000);
    first.bus.close();
    await first.bus.idle();
    first.journal.close();
    expect(ran).toBe(1);

    const second = busOn({ invokeAsync: async () => void (ran += 1) });
    second.bus.redeliver(second.journal.pending());
    await second.bus.idle();
    expect(ran).toBe(2);
    expect(second.journal.pending()).toEqual([]);
  });

  it('dead-letters, without invoking, an entry redelivered past its maximum event age or for a target the template no longer has', async () => {
    let ran = 0;
    const first = busOn({ invokeAsync: async () => 'ok', hold: { at: 'before-invoke', ms: 60_000 } });
    first.bus.putEvents(request());
    first.bus.close();
    first.journal.close();
    const later = Date.now() + 3 * 3600_000;
    const second = busOn({
      rules: [rule({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 7200 })],
      invokeAsync: async () => void (ran += 1),
      now: () => later,
    });
    const gone = { ...second.journal.pending()[0]!, id: 'gone', deliveries: ['RemovedRule/Target0'] };
    second.bus.redeliver([...second.journal.pending(), gone]);
    await second.bus.idle();
    expect(ran).toBe(0);
    expect(second.bus.deliveryFailures.map((f) => f.error)).toEqual([
      expect.stringMatching(/^EventAgeExceeded: accepted 10800 s ago, over the function's MaximumEventAgeInSeconds \(7200\)$/),
      'Local.TargetGone: the template no longer has this rule target',
    ]);
    expect(second.journal.pending()).toEqual([]);
  });

  it('answers InternalFailure for entries it could not journal, and delivers none of them', async () => {
    let ran = 0;
    const { bus, journal } = busOn({ invokeAsync: async () => void (ran += 1) });
    journal.close();
    const res = bus.putEvents([...request(), { Source: 'elsewhere', DetailType: 'x', Detail: '{}' }]);
    expect(res.FailedEntryCount).toBe(1);
    expect(res.Entries[0]).toMatchObject({ ErrorCode: 'InternalFailure' });
    expect(res.Entries[1]!.EventId).toBeDefined();
    await bus.idle();
    expect(ran).toBe(0);
  });
});

describe('async invoke configs from the template', () => {
  it("give each Lambda target its function's EventInvokeConfig, and Lambda's defaults otherwise", () => {
    const template = {
      Resources: {
        IntakeA0CA28E8: { Type: 'AWS::Lambda::Function', Properties: {} },
        OtherB1B2B3B4: { Type: 'AWS::Lambda::Function', Properties: {} },
        Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
        IntakeConfig: {
          Type: 'AWS::Lambda::EventInvokeConfig',
          Properties: {
            FunctionName: { Ref: 'IntakeA0CA28E8' },
            Qualifier: '$LATEST',
            MaximumRetryAttempts: 1,
            MaximumEventAgeInSeconds: 7200,
            DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
          },
        },
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventPattern: { source: ['a'] },
            Targets: [
              { Id: 'T0', Arn: { 'Fn::GetAtt': ['IntakeA0CA28E8', 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
              { Id: 'T1', Arn: { 'Fn::GetAtt': ['OtherB1B2B3B4', 'Arn'] } },
            ],
          },
        },
      },
    };
    const stack = { template, assemblyDir: tmpdir(), stackName: 'S' } as unknown as LoadedStack;
    const functions = new FunctionDirectory(lambdasFromTemplate(stack, DEFAULT_RESOLVE_ENV));
    const { rules } = rulesFromTemplate(template, DEFAULT_RESOLVE_ENV, functions, new Set());
    const [t0, t1] = rules[0]!.targets;
    expect(t0!.asyncInvoke).toEqual({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 7200, onFailure: expect.stringMatching(/^arn:aws:sqs:.*Dlq/) });
    expect(t0!.deadLetterArn).toMatch(/^arn:aws:sqs:.*Dlq/);
    expect(t1!.asyncInvoke).toEqual(DEFAULT_ASYNC_INVOKE);
  });
});
