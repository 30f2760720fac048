import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionManager, type LocalStateMachine } from '../../lib/local/executions';
import { FinishedHistories } from '../../lib/local/history-retention';
import { TaskTokenBroker } from '../../lib/local/task-token-broker';

const MACHINE: LocalStateMachine = {
  logicalId: 'Flow',
  name: 'Flow',
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Flow',
  roleArn: 'arn:aws:iam::123456789012:role/FlowRole',
  definition: { StartAt: 'One', States: { One: { Type: 'Pass', Next: 'Two' }, Two: { Type: 'Pass', End: true } } } as never,
  bindings: [],
};

describe('FinishedHistories', () => {
  it('keeps the histories of the last `limit` to finish and empties older ones', () => {
    const kept = new FinishedHistories<{ history: number[] }>(2);
    const [a, b, c] = [{ history: [1] }, { history: [2] }, { history: [3] }];
    kept.finished(a);
    kept.finished(b);
    expect([a.history, b.history]).toEqual([[1], [2]]);
    kept.finished(c);
    expect([a.history, b.history, c.history]).toEqual([[], [2], [3]]);
  });

  it('refuses a limit that is not a whole number >= 0', () => {
    expect(() => new FinishedHistories(-1)).toThrow(RangeError);
    expect(() => new FinishedHistories(1.5)).toThrow(RangeError);
  });
});

describe('ExecutionManager history retention', () => {
  let manager: ExecutionManager | undefined;
  afterEach(() => manager?.close());

  async function runAll(names: string[], historyRetention: number): Promise<ExecutionManager> {
    const m = new ExecutionManager({ machines: [MACHINE], invoke: async () => ({}), broker: new TaskTokenBroker(), historyRetention });
    for (const name of names) {
      m.start({ stateMachineArn: MACHINE.arn, name, input: '{}' });
      expect((await m.wait(name, { timeoutMs: 10_000 })).status).toBe('SUCCEEDED');
    }
    return m;
  }

  it('keeps the step history of the last N finished executions only, and every record', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `run-${i}`);
    manager = await runAll(names, 2);

    const exited = (name: string) =>
      manager!
        .history(name)
        .filter((s) => s.type === 'StateExited')
        .map((s) => s.state);
    expect(exited('run-5')).toEqual(['One', 'Two']);
    expect(exited('run-4')).toEqual(['One', 'Two']);
    for (const old of names.slice(0, 4)) expect(manager.history(old)).toEqual([]);
    expect(
      manager
        .list()
        .map((r) => r.name)
        .sort(),
    ).toEqual(names);
    expect(manager.describe(manager.find('run-0')!.executionArn).status).toBe('SUCCEEDED');
  });

  it('keeps every history while fewer than N have finished', async () => {
    manager = await runAll(['a', 'b', 'c'], 200);
    for (const name of ['a', 'b', 'c']) expect(manager.history(name).at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
  });
});
