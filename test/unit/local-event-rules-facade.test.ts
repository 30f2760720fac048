import { DescribeRuleCommand, DisableRuleCommand, EnableRuleCommand, EventBridgeClient, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '../../lib/local/aws-endpoint';
import type { LocalRule } from '../../lib/local/event-rules';
import { withRuleOperations } from '../../lib/local/event-rules-facade';

/** DescribeRule / EnableRule / DisableRule on the local bus's rules, through the real SDK client over loopback. */
describe('the local EventBridge rule operations', () => {
  let endpoint: AwsEndpoint;
  let client: EventBridgeClient;
  const rules: LocalRule[] = [
    { logicalId: 'Trigger', name: 'Procure-Trigger-1', busName: 'default', pattern: { source: ['procure.requests'] }, enabled: true, targets: [] },
    { logicalId: 'Other', name: 'Other', busName: 'custom', pattern: { source: ['x'] }, enabled: false, targets: [] },
  ];
  const passedOn: string[] = [];

  beforeAll(async () => {
    const next = (op: string) => {
      passedOn.push(op);
      return { FailedEntryCount: 0, Entries: [] };
    };
    endpoint = await startAwsEndpoint({ events: withRuleOperations(rules, { region: 'us-east-1', accountId: '123456789012' }, next) });
    client = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'LOCALACCESSKEY', secretAccessKey: 'local-secret-key' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await endpoint.close();
  });

  it("describes a rule in AWS's shape, with its pattern and state", async () => {
    const r = await client.send(new DescribeRuleCommand({ Name: 'Procure-Trigger-1' }));
    expect(r).toMatchObject({
      Name: 'Procure-Trigger-1',
      Arn: 'arn:aws:events:us-east-1:123456789012:rule/Procure-Trigger-1',
      State: 'ENABLED',
      EventBusName: 'default',
    });
    expect(JSON.parse(r.EventPattern!)).toEqual({ source: ['procure.requests'] });
    const other = await client.send(new DescribeRuleCommand({ Name: 'Other', EventBusName: 'custom' }));
    expect(other).toMatchObject({ Arn: 'arn:aws:events:us-east-1:123456789012:rule/custom/Other', State: 'DISABLED' });
  });

  it('disables and enables a rule (what the bus routes by), and refuses an unknown one', async () => {
    await client.send(new DisableRuleCommand({ Name: 'Procure-Trigger-1' }));
    expect(rules[0]!.enabled).toBe(false);
    expect((await client.send(new DescribeRuleCommand({ Name: 'Procure-Trigger-1' }))).State).toBe('DISABLED');
    await client.send(new EnableRuleCommand({ Name: 'Procure-Trigger-1' }));
    expect(rules[0]!.enabled).toBe(true);
    const missing = await client.send(new DescribeRuleCommand({ Name: 'Other' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as Error).message).toBe('Rule Other does not exist on EventBus default.');
  });

  it('passes every other operation on (PutEvents stays the bus)', async () => {
    const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    await client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));
    expect(passedOn).toEqual(['PutEvents']);
  });
});
