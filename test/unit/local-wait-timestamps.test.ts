import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionManager, type LocalStateMachine } from '../../lib/local/executions';
import { TaskTokenBroker } from '../../lib/local/task-token-broker';
import { subSecondWait } from '../../lib/local/wait-timestamps';

/**
 * Step Functions drops a Wait timestamp's milliseconds; the local engine does not. The runtime
 * says so whenever a Wait is entered with a fraction of a second (lib/local/wait-timestamps.ts).
 */
describe('subSecondWait', () => {
  const byPath = { Type: 'Wait', TimestampPath: '$.cart.waitUntil', Next: 'X' };

  it('names a TimestampPath or Timestamp with a fraction of a second', () => {
    expect(subSecondWait('W', byPath, { cart: { waitUntil: '2026-12-06T19:30:05.250Z' } })).toMatch(
      /^Wait W: timestamp 2026-12-06T19:30:05\.250Z .*up to 1 s earlier/,
    );
    expect(subSecondWait('W', { Type: 'Wait', Timestamp: '2026-12-06T19:30:05.001Z', Next: 'X' }, {})).toMatch(/05\.001Z/);
    expect(subSecondWait('W', byPath, { cart: { waitUntil: '2026-12-06T19:30:05.5+01:00' } })).toMatch(/05\.5\+01:00/);
  });

  it('is silent for whole seconds, other states, missing or non-string values and paths it cannot read', () => {
    for (const ts of ['2026-12-06T19:30:05Z', '2026-12-06T19:30:05.000Z', '2026-12-06T19:30:05.0Z', '2026-12-06T19:30:05.00+01:00']) {
      expect(subSecondWait('W', byPath, { cart: { waitUntil: ts } }), ts).toBeUndefined();
    }
    expect(subSecondWait('W', { Type: 'Wait', Seconds: 1, Next: 'X' }, {})).toBeUndefined();
    expect(subSecondWait('P', { Type: 'Pass', Next: 'X' }, { cart: { waitUntil: '2026-12-06T19:30:05.250Z' } })).toBeUndefined();
    expect(subSecondWait('W', byPath, {})).toBeUndefined();
    expect(subSecondWait('W', byPath, { cart: { waitUntil: 5 } })).toBeUndefined();
    expect(subSecondWait('W', { ...byPath, TimestampPath: '$.items[0]' }, { items: ['2026-12-06T19:30:05.250Z'] })).toBeUndefined();
  });
});

describe('the local runtime running a Wait', () => {
  let manager: ExecutionManager | undefined;
  afterEach(() => manager?.close());

  const machine: LocalStateMachine = {
    logicalId: 'Flow',
    name: 'Flow',
    arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow',
    roleArn: 'arn:aws:iam::123456789012:role/FlowRole',
    definition: { StartAt: 'Pause', States: { Pause: { Type: 'Wait', TimestampPath: '$.until', End: true } } } as never,
    bindings: [],
  };

  it('logs the difference from AWS when a Wait timestamp has milliseconds, and nothing for a whole second', async () => {
    const lines: string[] = [];
    manager = new ExecutionManager({ machines: [machine], invoke: async () => ({}), broker: new TaskTokenBroker(), log: (l) => lines.push(l) });
    const past = Date.now() - 5_000;
    const runs = { fraction: new Date(past - (past % 1_000) + 250).toISOString(), whole: new Date(past - (past % 1_000)).toISOString() };
    for (const [name, until] of Object.entries(runs)) {
      manager.start({ stateMachineArn: machine.arn, name, input: JSON.stringify({ until }) });
      expect((await manager.wait(name, { timeoutMs: 10_000 })).status).toBe('SUCCEEDED');
    }
    expect(lines.filter((l) => l.includes('fraction of a second'))).toEqual([
      expect.stringMatching(new RegExp(`^fraction: Wait Pause: timestamp ${runs.fraction}`)),
    ]);
  });

  it('says nothing of a Wait whose time is overridden: it waits as told, not as its timestamp says', async () => {
    const lines: string[] = [];
    const broker = new TaskTokenBroker();
    manager = new ExecutionManager({ machines: [machine], invoke: async () => ({}), broker, log: (l) => lines.push(l), waitTimeOverrides: { Pause: 0 } });
    manager.start({ stateMachineArn: machine.arn, name: 'overridden', input: JSON.stringify({ until: '2026-12-06T19:30:05.250Z' }) });
    expect((await manager.wait('overridden', { timeoutMs: 10_000 })).status).toBe('SUCCEEDED');
    expect(lines.filter((l) => l.includes('fraction of a second'))).toEqual([]);
  });
});
